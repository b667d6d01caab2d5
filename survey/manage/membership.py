"""Core-team pages: membership (filled in by its owner)."""
