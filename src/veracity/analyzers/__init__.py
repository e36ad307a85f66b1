"""Built-in analyzers, one per file; each is registered in pyproject.toml like any plug-in."""
