"""Imported by test_client_imports through client_imports (a module nothing else imports)."""
