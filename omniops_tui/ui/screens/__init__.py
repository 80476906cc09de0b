"""Textual screens and their widgets; each screen's styles live in a .tcss file beside it."""
