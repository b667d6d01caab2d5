"""Service functions: each write that spans several rows lives in one function that commits once."""
