"""A shorter GIL switch interval while requests run in worker threads (latency, HTTP checks).

A worker thread whose answer has arrived needs the GIL to read it. While the event loop runs
other checks' Python (SSH packets, PostgreSQL rows), CPython hands the GIL over only every
switch interval, 5 ms by default: a 1 ms answer was read 5 ms later, again at every step of a
request, so in a concurrent sweep the latency probe's 50 requests took ~4x as long as alone and
their times counted the wait as the server's (issue 9's rule: the probe measures the network
and the server, not us). With 0.5 ms the wait is a tenth; the cost is more frequent switches,
only while such requests are in flight: the interval is restored when the last one ends.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator

INTERVAL_S = 0.0005

_lock = threading.Lock()
_users = 0
_saved = 0.0


@contextlib.contextmanager
def quick_handover() -> Iterator[None]:
    """Within it (nested and concurrent uses count), the switch interval is `INTERVAL_S`."""
    global _users, _saved
    with _lock:
        if _users == 0:
            _saved = sys.getswitchinterval()
            sys.setswitchinterval(min(_saved, INTERVAL_S))
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                sys.setswitchinterval(_saved)
