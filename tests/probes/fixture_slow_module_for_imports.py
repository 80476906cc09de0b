"""Imported by test_client_imports: slow to import, so a waiter can be cancelled meanwhile."""

import time

time.sleep(0.3)
