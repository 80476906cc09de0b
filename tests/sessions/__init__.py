"""Session replay, redaction, exports, sharing and diagnostics (issue 5)."""
