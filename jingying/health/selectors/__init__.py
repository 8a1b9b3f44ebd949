"""Every read, one module per part: scoped QuerySets (`restrict`) and `access_<entity>` helpers."""
