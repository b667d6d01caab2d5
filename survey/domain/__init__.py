"""Pure domain logic: plain Python over plain data, no Flask or database."""
