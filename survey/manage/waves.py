"""Core-team pages: waves (filled in by its owner)."""
