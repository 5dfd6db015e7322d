"""Worked examples of the seed texts (filled in by the registry work)."""
