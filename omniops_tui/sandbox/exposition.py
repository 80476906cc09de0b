"""The sandbox's figures in the Prometheus text format: the app's `/metrics` and node-style gauges.

What a real production's Prometheus would scrape, telling the same story as the HTTP answers
and the SSH commands (one `Profile` per scenario, see scenarios.py):

- the application (`/metrics` of the HTTP app, as the proxy in front of it counts, so it
  answers in an outage too): `http_requests_total{status}`, the latency histogram
  `http_request_duration_seconds` whose 95th percentile (by `histogram_quantile`) is the
  scenario's P95 and whose mean is its average; and, only while the app runs, its own
  `omniops_build_info{version}` and `process_start_time_seconds` (when it last came
  up). The traffic is the simulated users' (20 requests/s), not the checks' own requests,
  so every figure is exactly the scenario's.
- the hosts (node_exporter's names): `node_cpu_seconds_total{cpu,mode}`, `node_load1/5/15`,
  `node_memory_*_bytes`, `node_filesystem_*_bytes{mountpoint="/"}`, every series labelled
  `instance="prod-N"`. ALL hosts are served by one endpoint and scraped as one target with
  `honor_labels: true`: a 500-host fleet is one scrape a second, not 500.

Counters are integrated over the scenario switches (`ProductionState.switches`), so they can
be computed for any moment: `history_openmetrics()` writes the past (e.g. "error spike for the
last 12 minutes") for `promtool tsdb create-blocks-from openmetrics`, which is how tests give
a real Prometheus a history without waiting for it. The format is a handful of lines, so it is
written here rather than through a client library built for instrumenting live code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache, partial

from omniops_tui.sandbox.host_facts import DISK_BLOCKS_1K, NPROC, HostFacts
from omniops_tui.sandbox.scenarios import PROFILES, ProductionState, Profile, commit_of

REQUESTS_PER_S = 20.0  # the simulated users' traffic (the app's /api/metrics says 6000 per 5 min)
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CPU_MODES = (("idle", 1.0), ("user", 0.8), ("system", 0.2))  # busy time split 80/20 user/system
COUNTER_BASE_S = 1_000_000.0  # counters of a host that was booted long ago
Switches = Sequence[tuple[float, str]]


# ------------------------------------------------------------------ integration over scenarios
def integrate(switches: Switches, until: float, per_second: Callable[[Profile], float]) -> float:
    """∫ per_second(scenario at t) dt from the first switch to `until`."""
    total = 0.0
    for index, (start, name) in enumerate(switches):
        if start >= until:
            break
        end = switches[index + 1][0] if index + 1 < len(switches) else until
        total += (min(end, until) - start) * per_second(PROFILES[name])
    return total


def scenario_at(switches: Switches, moment: float) -> str:
    current = switches[0][1]
    for start, name in switches:
        if start > moment:
            break
        current = name
    return current


@lru_cache(maxsize=32)
def latency_cdf(p95_ms: float) -> tuple[float, ...]:
    """Cumulative share of requests under each bucket bound, so that Prometheus's
    `histogram_quantile(0.95, …)` (linear within a bucket) gives exactly `p95_ms`."""
    p95 = p95_ms / 1000
    if p95 <= 0:
        return tuple(1.0 for _ in BUCKETS)
    upper = next((i for i, bound in enumerate(BUCKETS) if p95 <= bound), len(BUCKETS) - 1)
    low = BUCKETS[upper - 1] if upper else 0.0
    high = BUCKETS[upper]
    # 4 % of the requests spread evenly over [low, high]: 0.95 falls exactly at p95. In the
    # first bucket Prometheus interpolates from 0, so the share under its bound sets the answer.
    at_low = 0.95 - 0.04 * (p95 - low) / (high - low)
    at_high = at_low + 0.04 if upper else min(1.0, 0.95 * high / p95)
    shares = []
    for index, bound in enumerate(BUCKETS):
        if index < upper:
            shares.append(at_low * bound / low)
        elif index == upper:
            shares.append(at_high)
        else:
            shares.append(min(1.0, at_high + (1 - at_high) * (bound - high) / (2 * high)))
    return tuple(shares)


def _error_code(profile: Profile) -> str:
    return "503" if not profile.app_running else "500"


# ------------------------------------------------------------------ the application
def _errors_per_s(code: str, profile: Profile) -> float:
    """Requests per second answered with `code` under `profile` (integrated into a counter)."""
    return REQUESTS_PER_S * profile.error_rate / 100 if _error_code(profile) == code else 0.0


def _bucket_per_s(index: int, profile: Profile) -> float:
    """Requests per second falling in latency bucket `index` or below under `profile`."""
    return REQUESTS_PER_S * latency_cdf(profile.p95_ms)[index]


def _busy_share(name: str, index: int, profile: Profile) -> float:
    """The share of a second host `name` spends busy under `profile` (CPU seconds counter)."""
    return host_facts(profile.name, name, index).cpu_percent / 100


def app_lines(state_or_switches: ProductionState | Switches, now: float, version: str = "") -> Iterator[str]:
    """The app's series at wall time `now` (no timestamps; `history_openmetrics` adds them)."""
    if isinstance(state_or_switches, ProductionState):
        switches: Switches = state_or_switches.switches
        version = version or state_or_switches.version
    else:
        switches = state_or_switches
    version = version or "v1.2.1"

    def rate(p: Profile) -> float:
        return REQUESTS_PER_S

    total = integrate(switches, now, rate)
    errors = {
        code: integrate(
            switches,
            now,
            partial(_errors_per_s, code),
        )
        for code in ("500", "503")
    }
    yield "# HELP http_requests_total Requests answered, by status code."
    yield "# TYPE http_requests_total counter"
    yield f'http_requests_total{{status="200"}} {total - sum(errors.values()):.3f}'
    for code, count in errors.items():
        if count > 0:
            yield f'http_requests_total{{status="{code}"}} {count:.3f}'
    yield "# HELP http_request_duration_seconds Time to answer a request."
    yield "# TYPE http_request_duration_seconds histogram"
    for index, bound in enumerate(BUCKETS):
        count = integrate(switches, now, partial(_bucket_per_s, index))
        yield f'http_request_duration_seconds_bucket{{le="{bound}"}} {count:.3f}'
    yield f'http_request_duration_seconds_bucket{{le="+Inf"}} {total:.3f}'
    seconds = integrate(switches, now, lambda p: REQUESTS_PER_S * p.response_time_ms / 1000)
    yield f"http_request_duration_seconds_sum {seconds:.3f}"
    yield f"http_request_duration_seconds_count {total:.3f}"
    came_up = app_came_up(switches, now)
    if came_up is None:
        return  # the app is down: its own gauges vanish, as a dead process's series go stale
    yield "# HELP omniops_build_info The running build."
    yield "# TYPE omniops_build_info gauge"
    yield f'omniops_build_info{{version="{version}",commit="{commit_of(version)}"}} 1'
    yield "# HELP process_start_time_seconds Start time of the process since the epoch."
    yield "# TYPE process_start_time_seconds gauge"
    yield f"process_start_time_seconds {came_up:.3f}"


def app_came_up(switches: Switches, moment: float) -> float | None:
    """When the app process running at `moment` started, or None while it is down.

    The proxy's counters answer in an outage, but the app's own gauges (build info, start time)
    come from the app: a real Prometheus sees them go stale while it is down, and the start
    time jump when it comes back, so Uptime and "Version matches" must not stay green.
    """
    came_up: float | None = None
    for start, name in switches:
        if start > moment:
            break
        if not PROFILES[name].app_running:
            came_up = None
        elif came_up is None:
            came_up = start
    return came_up


# ------------------------------------------------------------------ the hosts
@lru_cache(maxsize=16)
def _frozen_state(scenario: str) -> ProductionState:
    return ProductionState(scenario)


@lru_cache(maxsize=65_536)
def host_facts(scenario: str, name: str, index: int) -> HostFacts:
    """A host's figures in a scenario, as its SSH commands report them (jitter included)."""
    return HostFacts.of(_frozen_state(scenario), name, index)


_NODE_HELP = (
    "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n"
    "# TYPE node_cpu_seconds_total counter",
    "# HELP node_load1 1m load average.\n# TYPE node_load1 gauge",
    "# HELP node_load5 5m load average.\n# TYPE node_load5 gauge",
    "# HELP node_load15 15m load average.\n# TYPE node_load15 gauge",
    "# HELP node_memory_MemTotal_bytes Memory information field MemTotal_bytes.\n"
    "# TYPE node_memory_MemTotal_bytes gauge",
    "# HELP node_memory_MemAvailable_bytes Memory information field MemAvailable_bytes.\n"
    "# TYPE node_memory_MemAvailable_bytes gauge",
    "# HELP node_filesystem_size_bytes Filesystem size in bytes.\n# TYPE node_filesystem_size_bytes gauge",
    "# HELP node_filesystem_avail_bytes Filesystem space available to non-root users in bytes.\n"
    "# TYPE node_filesystem_avail_bytes gauge",
)
_FS = 'device="/dev/vda1",fstype="ext4",mountpoint="/"'


def node_families(switches: Switches, hosts: Sequence[str], now: float) -> list[list[str]]:
    """Every host's series at `now`, grouped by metric family (the format wants them together)."""
    families: list[list[str]] = [[] for _ in _NODE_HELP]
    scenario = scenario_at(switches, now)
    size = DISK_BLOCKS_1K * 1024
    for index, name in enumerate(hosts):
        facts = host_facts(scenario, name, index)
        busy = integrate(switches, now, partial(_busy_share, name, index))
        elapsed = COUNTER_BASE_S + now - switches[0][0]
        label = f'instance="{name}"'
        cpu, load1, load5, load15, total, available, fs_size, fs_avail = families
        for core in range(NPROC):
            for mode, share in CPU_MODES:
                seconds = elapsed - busy if mode == "idle" else busy * share
                cpu.append(f'node_cpu_seconds_total{{{label},cpu="{core}",mode="{mode}"}} {seconds:.2f}')
        load1.append(f"node_load1{{{label}}} {facts.load[0]}")
        load5.append(f"node_load5{{{label}}} {facts.load[1]}")
        load15.append(f"node_load15{{{label}}} {facts.load[2]}")
        total.append(f"node_memory_MemTotal_bytes{{{label}}} {facts.mem_total_mb * 1048576}")
        available.append(f"node_memory_MemAvailable_bytes{{{label}}} {facts.mem_available_mb * 1048576}")
        fs_size.append(f"node_filesystem_size_bytes{{{label},{_FS}}} {size}")
        free = math.floor(size * (100 - facts.disk_used_percent) / 100)
        fs_avail.append(f"node_filesystem_avail_bytes{{{label},{_FS}}} {free}")
    return families


def node_lines(switches: Switches, hosts: Sequence[str], now: float) -> Iterator[str]:
    for help_text, lines in zip(_NODE_HELP, node_families(switches, hosts, now), strict=True):
        yield help_text
        yield from lines


def exposition(lines: Iterator[str]) -> str:
    """Text format 0.0.4: one sample per line, a final newline."""
    return "\n".join(lines) + "\n"


CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
APP_JOB = "omniops"  # the scrape jobs of sandbox/prometheus.py, and the app's instance label
NODE_JOB = "node"
APP_INSTANCE = "sandbox"


# ------------------------------------------------------------------ the past, for promtool
def history_openmetrics(
    switches: Switches, hosts: Sequence[str], start: float, end: float, step: float, version: str = "v1.2.1"
) -> str:
    """The series every `step` seconds from `start` to `end`, timestamped, in OpenMetrics.

    `promtool tsdb create-blocks-from openmetrics FILE DATA_DIR` turns it into blocks a fresh
    Prometheus serves: the sandbox as a Prometheus would have scraped it all that time. The
    series carry `job` and `instance` as the scrape config of `sandbox/prometheus.py` gives.
    """
    families: dict[str, list[str]] = {}
    order: list[str] = []
    moment = start
    while moment <= end:
        stamp = f"{moment:.3f}"
        app = [line for line in app_lines(switches, moment, version) if not line.startswith("#")]
        node = [line for group in node_families(switches, hosts, moment) for line in group]
        for line, job in [*((line, APP_JOB) for line in app), *((line, NODE_JOB) for line in node)]:
            name = line.split("{", 1)[0].split(" ", 1)[0]
            family = _family(name)
            if family not in families:
                families[family] = []
                order.append(family)
            families[family].append(_with_job(line, job) + " " + stamp)
        moment += step
    out: list[str] = []
    for family in order:
        out.append(f"# TYPE {family} {_TYPES.get(family, 'gauge')}")
        out.extend(families[family])
    out.append("# EOF")
    return "\n".join(out) + "\n"


_TYPES = {
    "http_requests": "counter",
    "http_request_duration_seconds": "histogram",
    "node_cpu_seconds": "counter",
}


def _family(name: str) -> str:
    """The OpenMetrics family of a sample name (counters drop `_total`, histograms their suffix)."""
    if name.endswith("_total"):
        return name[: -len("_total")]
    for suffix in ("_bucket", "_sum", "_count"):
        if name.startswith("http_request_duration_seconds") and name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _with_job(line: str, job: str) -> str:
    """`name{a="b"} 1` → `name{job="omniops",instance="sandbox",a="b"} 1`: the labels a scrape
    by `sandbox/prometheus.py`'s config gives (node series carry their own `instance`)."""
    name, _, rest = line.partition(" ")
    extra = f'job="{job}",instance="{APP_INSTANCE}"' if job == APP_JOB else f'job="{job}"'
    if "{" in name:
        base, labels = name.split("{", 1)
        return f"{base}{{{extra},{labels} {rest}"
    return f"{name}{{{extra}}} {rest}"
