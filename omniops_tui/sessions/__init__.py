"""Sessions: the append-only record of everything that happened, and what is derived from it."""
