"""Core-team pages: questionnaires (filled in by its owner)."""
