"""Domain-free helpers (environment settings, secret files, canonical hashing)."""
