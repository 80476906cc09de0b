"""The incident scenarios of the sandbox and the live state both of its servers read.

One `Profile` per scenario holds every figure the sandbox reports (error rate, latencies,
CPU, load, memory, disk …), so the HTTP app, the SSH commands and the generated logs tell
the same story: switching the scenario switches all three at once. `ProductionState` is the
single mutable object shared by the HTTP app and the SSH hosts: current scenario, deployed
version, start time, the per-path request counters that make error-spike deterministic, and
log lines injected by requests (e.g. `POST /api/test-error`).

Units, as the real application reports them: `error_rate` is a PERCENT (0.03 means 0.03 %),
latencies are milliseconds, memory MiB, disk percent used of `/`.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from dataclasses import dataclass, replace

SCENARIOS: tuple[str, ...] = ("healthy", "error-spike", "slow", "db-down", "outage", "disk-full", "hostile")

#: In error-spike, every ERROR_EVERY-th request of each /api path answers 500 (8.3 %).
ERROR_EVERY = 12
#: In slow, /api/* answers are delayed between these bounds (seconds), on a fixed pattern.
SLOW_DELAY_S = (0.6, 0.9)


@dataclass(frozen=True, slots=True)
class Profile:
    """Everything a scenario changes, in the application's own units."""

    name: str
    status: str  # /api/health/comprehensive "status"
    comprehensive_http: int  # its HTTP status
    database: str
    redis: str
    workers: str
    error_rate: float  # percent
    response_time_ms: float  # average
    p95_ms: float
    cpu_percent: float  # host CPU busy (%), also the node process's %CPU
    load: tuple[float, float, float]
    mem_used_mb: int
    disk_used_percent: int
    app_running: bool = True
    db_reachable: bool = True
    slow: bool = False
    error_spike: bool = False
    warnings: tuple[str, ...] = ()
    hostile: bool = False  # bodies, logs and command output carry hostile text (sandbox/hostile.py)


PROFILES: dict[str, Profile] = {
    "healthy": Profile(
        "healthy",
        "ok",
        200,
        "connected",
        "connected",
        "processing",
        error_rate=0.03,
        response_time_ms=75.0,
        p95_ms=180.0,
        cpu_percent=35.2,
        load=(0.82, 0.91, 0.88),
        mem_used_mb=2867,
        disk_used_percent=42,
    ),
    "error-spike": Profile(
        "error-spike",
        "degraded",
        200,
        "connected",
        "connected",
        "processing",
        error_rate=8.2,
        response_time_ms=240.0,
        p95_ms=890.0,
        cpu_percent=71.4,
        load=(2.85, 2.41, 1.62),
        mem_used_mb=3480,
        disk_used_percent=43,
        error_spike=True,
    ),
    "slow": Profile(
        "slow",
        "ok",
        200,
        "connected",
        "connected",
        "processing",
        error_rate=0.4,
        response_time_ms=1800.0,
        p95_ms=3200.0,
        cpu_percent=86.3,
        load=(3.62, 3.40, 2.95),
        mem_used_mb=5120,
        disk_used_percent=43,
        slow=True,
    ),
    "db-down": Profile(
        "db-down",
        "degraded",
        503,
        "disconnected",
        "connected",
        "stalled",
        error_rate=41.7,
        response_time_ms=310.0,
        p95_ms=1200.0,
        cpu_percent=18.6,
        load=(0.55, 0.71, 0.80),
        mem_used_mb=2410,
        disk_used_percent=42,
        db_reachable=False,
    ),
    "outage": Profile(
        "outage",
        "down",
        503,
        "unknown",
        "unknown",
        "stopped",
        error_rate=100.0,
        response_time_ms=0.0,
        p95_ms=0.0,
        cpu_percent=2.1,
        load=(0.08, 0.35, 0.62),
        mem_used_mb=905,
        disk_used_percent=42,
        app_running=False,
    ),
    "disk-full": Profile(
        "disk-full",
        "ok",
        200,
        "connected",
        "connected",
        "processing",
        error_rate=0.05,
        response_time_ms=82.0,
        p95_ms=195.0,
        cpu_percent=37.0,
        load=(0.95, 0.97, 0.93),
        mem_used_mb=2934,
        disk_used_percent=97,
        warnings=("disk usage 97% on /",),
    ),
}


# Healthy figures, hostile text (sandbox/hostile.py): the screens work, the text attacks them.
PROFILES["hostile"] = replace(PROFILES["healthy"], name="hostile", hostile=True)


def check_scenario(name: str) -> str:
    """The name itself, or ValueError listing the known ones (the one place that validates)."""
    if name not in PROFILES:
        raise ValueError(f"unknown scenario {name!r}; choose from {', '.join(SCENARIOS)}")
    return name


def commit_of(version: str) -> str:
    """A stable fake git commit for a version, so /api/version looks like a real build."""
    return hashlib.sha1(f"omniops {version}".encode()).hexdigest()[:7]


class ProductionState:
    """The mutable truth shared by the HTTP app and every SSH host of one sandbox."""

    def __init__(self, scenario: str = "healthy", version: str = "v1.2.1") -> None:
        self.scenario = check_scenario(scenario)
        self.version = version
        self.started = time.monotonic()
        self.started_wall = time.time()
        self._counters: dict[str, int] = {}
        # (wall time, level, component, message) injected by requests, newest last
        self.injected: deque[tuple[float, str, str, str]] = deque(maxlen=200)
        self.injected_total = 0
        self.test_errors: deque[float] = deque(maxlen=1000)
        self.staged_version = ""
        self.before_stop = ""
        # (wall time, scenario) of every switch, oldest first: /metrics integrates its counters
        # over them, so a rate() over any window tells the scenarios' story.
        self.switches: list[tuple[float, str]] = [(self.started_wall, self.scenario)]

    @property
    def profile(self) -> Profile:
        return PROFILES[self.scenario]

    def set_scenario(self, name: str) -> None:
        """Switch; counters restart so the error pattern is the same after every switch."""
        self.scenario = check_scenario(name)
        self._counters.clear()
        self.before_stop = ""
        self.switches.append((time.time(), self.scenario))

    def uptime(self) -> float:
        """Seconds the application has been up (since the sandbox started)."""
        return time.monotonic() - self.started

    def count(self, key: str) -> int:
        """1 for the first request to `key` since the last switch, 2 for the next …"""
        value = self._counters.get(key, 0) + 1
        self._counters[key] = value
        return value

    def inject(self, level: str, component: str, message: str) -> None:
        """Make a line appear in the hosts' logs (history and live streams)."""
        self.injected.append((time.time(), level, component, message))
        self.injected_total += 1

    # ------------------------------------------------------------------ operations
    # What the runbooks' operational commands do to production (sandbox/host_operations.py):
    # stopping the app is an outage; starting it again ends one, and a deploy of another
    # version (a rollback: `git checkout v1.2.0` or `docker tag …:v1.2.0 …:latest`, then a
    # restart) ends a bad deploy's error spike. Database, disk and load problems stay: a
    # restart does not fix infrastructure.
    def stage_version(self, version: str) -> None:
        """`git checkout TAG` / `docker tag omniops:TAG omniops:latest`: what a restart deploys."""
        self.staged_version = version

    def stop_app(self) -> None:
        if self.scenario != "outage":
            before = self.scenario
            self.set_scenario("outage")
            self.before_stop = before
        self.inject("WARN", "pm2", "Stopping app:omniops-app id:0 (requested by an operator)")

    def restart_app(self) -> None:
        """The application restarts (with the staged version, if any) and comes back up."""
        staged = self.staged_version or self.version
        changed = staged != self.version
        self.version = staged
        self.started = time.monotonic()
        if self.scenario == "outage":
            self.set_scenario(self.before_stop or "healthy")
        if self.scenario in ("outage", "error-spike") and changed:
            self.set_scenario("healthy")
        self.inject("INFO", "pm2", f"App [omniops-app:0] online ({self.version})")
        self.inject("INFO", "api", f"Ready on http://0.0.0.0:3000 (version {self.version})")

    def injected_since(self, total_seen: int) -> tuple[list[tuple[float, str, str, str]], int]:
        """Lines injected after a reader had seen `total_seen` of them, and the new total."""
        fresh = self.injected_total - total_seen
        if fresh <= 0:
            return [], self.injected_total
        items = list(self.injected)[-min(fresh, len(self.injected)) :]
        return items, self.injected_total


# What each scenario shows, in one line (the demo's scenario switcher).
SCENARIO_HELP = {
    "healthy": "Everything within the runbooks' thresholds.",
    "error-spike": "Error rate 8.2 %, ERROR lines in the logs, CPU at 70 %: a bad deploy.",
    "slow": "P95 3.2 s and slow queries: degraded, not down.",
    "db-down": "The application (and the checks) cannot reach the database.",
    "outage": "Nothing answers: the app container exited, HTTP 503 everywhere.",
    "disk-full": "The root filesystem at 97 %: a capacity issue.",
    "hostile": "Healthy figures, hostile text: control sequences, markup and secrets everywhere.",
}
