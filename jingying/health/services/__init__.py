"""Every write, one module per part: `<entity>_<verb>(*, actor, ...)` in one transaction with its audit record."""
