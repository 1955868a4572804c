"""One site build as MkDocs runs it (without importing MkDocs): pages, dirty builds, git dates, settings."""
