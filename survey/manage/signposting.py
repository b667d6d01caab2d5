"""Core-team pages: signposting (filled in by its owner)."""
