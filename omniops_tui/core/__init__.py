"""Core vocabulary: events, statuses, time, errors, text safety. Imports nothing of the package."""
