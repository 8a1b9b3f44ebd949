"""Models, one module per part of the app; each part's module is imported here."""
