"""Machine-learning functions (filled in by the registry work)."""
