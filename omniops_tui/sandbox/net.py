"""Is a server answering at this URL? One TCP connect, for the demo, the tests and the benches."""

from __future__ import annotations

import socket
from urllib.parse import urlparse


def reachable(url: str, default_port: int, timeout: float = 1.0) -> bool:
    """True when a TCP connection to the URL's host and port succeeds within `timeout`."""
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout):
            return True
    except OSError:
        return False
