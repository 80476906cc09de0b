"""The Textual App: shows state, routes keys to the engine; nothing below imports it."""
