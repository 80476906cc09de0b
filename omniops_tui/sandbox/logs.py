"""Generated application logs: what `tail`, `docker-compose logs` and `pm2 logs` show.

Nothing is stored: a line is a pure function of (host, file, scenario, sequence number),
and sequence number `s` of a file written at `rate` lines/s belongs to wall time `s / rate`.
So `tail -n 100` (history) and `tail -F` (live) agree with each other, cost nothing while
nobody reads, and 100 hosts do not run 100 background writers.

Line format, as the OmniOps app writes it:
`2026-11-29T03:12:01.123Z INFO  [api] GET /api/health 200 12ms`.
`combined.log` holds every line, `error.log` only WARN and ERROR ones (so it is written more
slowly: `rate × share of WARN/ERROR in the scenario's mix`). `firehose.log` (or a sandbox
started with `log_rate=0`) streams generated lines as fast as SSH flow control allows, built in
chunks of thousands of lines per write, for the log-ingest benchmark.
"""

from __future__ import annotations

import asyncio
import functools
import random
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from omniops_tui.sandbox.hostile import LOG_TEMPLATES as HOSTILE_TEMPLATES
from omniops_tui.sandbox.scenarios import SCENARIOS, ProductionState

LOG_DIR = "/var/log/omniops"
COMBINED_LOG = f"{LOG_DIR}/combined.log"
ERROR_LOG = f"{LOG_DIR}/error.log"
FIREHOSE_LOG = f"{LOG_DIR}/firehose.log"
LOG_FILES = (COMBINED_LOG, ERROR_LOG, FIREHOSE_LOG)

FIREHOSE_CHUNK_LINES = 4096
_MAX_TICK_S = 0.25
_MIN_TICK_S = 0.05

# (weight, level, component, message template); fields are filled by `_fields`.
_Template = tuple[int, str, str, str]
_ECONN = "connect ECONNREFUSED 10.0.0.5:5432"
_UPSTREAM = (
    "connect() failed (111: Connection refused) while connecting to upstream, "
    'request: "{method} {path} HTTP/1.1", upstream: "http://127.0.0.1:3000{path}"'
)
_HEALTHY: list[_Template] = [
    (30, "INFO", "api", "GET /api/health 200 {ms}ms"),
    (15, "INFO", "api", "GET /api/health/comprehensive 200 {ms2}ms"),
    (20, "INFO", "api", "POST /api/chat 200 {chat_ms}ms"),
    (8, "INFO", "api", "GET /embed.js 200 {ms}ms"),
    (5, "INFO", "api", "GET /embed?domain=shop{d}.example.com 200 {ms2}ms"),
    (6, "INFO", "worker", "job scrape:{n} completed in {sec}s ({pages} pages)"),
    (4, "INFO", "cache", "redis hit ratio 0.{hit} over last 1000 lookups"),
    (4, "INFO", "db", "pool active={conn} idle={idle} waiting=0"),
    (3, "INFO", "auth", "admin session started for user {id}"),
    (2, "WARN", "api", "GET /api/woocommerce/products 429 rate limited by upstream, retry in 2s"),
    (1, "WARN", "cache", "redis latency {ms}ms above 50ms budget"),
]
MIXES: dict[str, list[_Template]] = {
    "healthy": _HEALTHY,
    "error-spike": [
        (12, "INFO", "api", "GET /api/health 200 {ms}ms"),
        (12, "INFO", "api", "POST /api/chat 200 {chat_ms}ms"),
        (
            14,
            "ERROR",
            "api",
            "POST /api/chat 500 TypeError: Cannot read properties of undefined (reading 'content')",
        ),
        (
            6,
            "ERROR",
            "api",
            "GET /api/conversations/{id} 500 TypeError: Cannot read properties of undefined (reading 'map')",
        ),
        (5, "ERROR", "worker", "job embed:{n} failed: Error: OpenAI API responded 500 (attempt {attempt}/3)"),
        (5, "WARN", "api", "POST /api/chat retrying after upstream error (attempt {attempt}/3)"),
        (4, "INFO", "worker", "job scrape:{n} completed in {sec}s ({pages} pages)"),
        (3, "WARN", "sentry", "event rate {events}/min above alert threshold (TypeError)"),
    ],
    "slow": [
        (
            15,
            "WARN",
            "db",
            "slow query {slow_ms}ms: SELECT * FROM page_embeddings ORDER BY embedding <=> $1 LIMIT 5",
        ),
        (6, "WARN", "db", "slow query {slow_ms}ms: SELECT count(*) FROM messages WHERE conversation_id = $1"),
        (15, "INFO", "api", "POST /api/chat 200 {slow_ms}ms"),
        (10, "INFO", "api", "GET /api/health 200 {lag_ms}ms"),
        (5, "WARN", "db", "pool exhausted: active=100 idle=0 waiting={wait}"),
        (4, "WARN", "api", "GET /api/health/comprehensive 200 {slow_ms}ms exceeds 500ms budget"),
        (3, "INFO", "worker", "job scrape:{n} completed in {slow_sec}s ({pages} pages)"),
    ],
    "db-down": [
        (15, "ERROR", "db", _ECONN),
        (12, "ERROR", "api", f"POST /api/chat 500 Error: {_ECONN}"),
        (6, "ERROR", "api", f"POST /api/gdpr/export 500 Error: {_ECONN}"),
        (6, "WARN", "db", "reconnecting to 10.0.0.5:5432 in 5s (attempt {attempt})"),
        (8, "INFO", "api", "GET /api/health 200 {ms}ms"),
        (4, "ERROR", "worker", f"job scrape:{{n}} failed: Error: {_ECONN}"),
    ],
    "outage": [
        (
            10,
            "ERROR",
            "supervisor",
            "omniops-app exited with code 137 (OOMKilled), restarting (attempt {attempt})",
        ),
        (15, "ERROR", "proxy", _UPSTREAM.format(method="GET", path="/api/health")),
        (8, "ERROR", "proxy", _UPSTREAM.format(method="POST", path="/api/chat")),
        (3, "WARN", "supervisor", "omniops-app restart backoff {attempt}0s"),
    ],
    "disk-full": [
        *_HEALTHY,
        (8, "WARN", "system", "disk usage 97% on / ({free}G free)"),
        (3, "WARN", "system", "log rotation failed: only 2.4G free on /"),
        (1, "ERROR", "worker", "job export:{n} failed: ENOSPC: no space left on device, write"),
    ],
    "hostile": [*_HEALTHY, *HOSTILE_TEMPLATES],
}
_PROBLEM_LEVELS = ("WARN", "ERROR")
_CYCLE = 997  # a prime, so hosts and files do not repeat in step


def _fields(seq: int) -> dict[str, int | str]:
    """Varying numbers for a line, derived from its sequence number (cheap, repeatable)."""
    h = (seq * 2654435761) & 0xFFFFFFFF
    return {
        "ms": 4 + h % 38,
        "ms2": 12 + h % 60,
        "chat_ms": 320 + h % 900,
        "slow_ms": 1500 + h % 2600,
        "lag_ms": 600 + h % 300,
        "d": h % 40,
        "n": 100000 + seq % 900000,
        "sec": 2 + h % 28,
        "slow_sec": 30 + h % 90,
        "pages": 10 + h % 240,
        "hit": 86 + h % 8,
        "conn": 8 + h % 7,
        "idle": 4 + h % 6,
        "id": f"{h:08x}",
        "attempt": 1 + h % 3,
        "events": 40 + h % 30,
        "wait": 3 + h % 20,
        "free": "2.4",
    }


def iso_ms(t: float) -> str:
    """`2026-11-29T03:12:01.123Z` for a wall time."""
    whole = int(t)
    return _iso_second(whole) + f".{int((t - whole) * 1000):03d}Z"


@functools.lru_cache(maxsize=256)
def _iso_second(whole: int) -> str:
    """The seconds part, formatted once per second: lines come hundreds a second, and
    strftime was a third of the production's CPU while checks tailed its logs."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))


def format_line(t: float, level: str, component: str, message: str) -> str:
    return f"{iso_ms(t)} {level:<5} [{component}] {message}"


@dataclass(frozen=True, slots=True)
class _Mix:
    """A scenario's templates for one file, unrolled into a fixed pseudo-random cycle."""

    cycle: tuple[tuple[str, str, str], ...]
    share: float  # share of all lines that belong to this file (1.0 for combined)


def _build_mix(scenario: str, errors_only: bool) -> _Mix:
    templates = MIXES[scenario]
    total = sum(w for w, *_ in templates)
    if errors_only:
        templates = [t for t in templates if t[1] in _PROBLEM_LEVELS]
    weight = sum(w for w, *_ in templates)
    rng = random.Random(f"{scenario}/{errors_only}")
    picks = rng.choices(templates, weights=[w for w, *_ in templates], k=_CYCLE)
    return _Mix(tuple((lvl, comp, msg) for _, lvl, comp, msg in picks), weight / total)


_MIXES: dict[tuple[str, bool], _Mix] = {(s, e): _build_mix(s, e) for s in SCENARIOS for e in (False, True)}


class LogSource:
    """The logs of one host: history for `tail -n`, live streams for `tail -F` and friends."""

    def __init__(self, state: ProductionState, host_index: int, rate: float) -> None:
        self.state = state
        self.offset = host_index * 131
        self.rate = rate  # combined.log lines/s; <= 0 means firehose
        self._firehose_cache: dict[tuple[str, bool], list[str]] = {}
        self._history: dict[tuple[str, str, float], tuple[int, list[str]]] = {}

    # ------------------------------------------------------------------ single lines
    def _mix(self, path: str) -> _Mix:
        return _MIXES[(self.state.scenario, path == ERROR_LOG)]

    def file_rate(self, path: str) -> float:
        """Lines per second written to `path` in the current scenario (0: firehose)."""
        if self.rate <= 0:
            return 0.0
        return self.rate * self._mix(path).share

    def body(self, path: str, seq: int) -> str:
        """`LEVEL [component] message` of line `seq` (no timestamp)."""
        level, component, template = self._mix(path).cycle[(seq + self.offset) % _CYCLE]
        return f"{level:<5} [{component}] {template.format(**_fields(seq))}"

    def _injected(self, path: str, items: list[tuple[float, str, str, str]]) -> list[tuple[float, str]]:
        errors_only = path == ERROR_LOG
        return [
            (t, format_line(t, lvl, comp, msg))
            for t, lvl, comp, msg in items
            if not errors_only or lvl in _PROBLEM_LEVELS
        ]

    # ------------------------------------------------------------------ history
    def history(self, path: str, count: int, now: float | None = None) -> list[str]:
        """The last `count` lines of `path` as of `now`, oldest first."""
        if count <= 0:
            return []
        now = time.time() if now is None else now
        rate = self.file_rate(path) or 1000.0
        last = int(now * rate)
        first = last - count + 1
        # Line `seq` of a file is the same text whenever it is asked for (its time is seq/rate):
        # the window of the previous call is reused, only the lines written since are made.
        key = (path, self.state.scenario, rate)
        known_first, known = self._history.get(key, (0, []))
        texts = [
            known[seq - known_first]
            if 0 <= seq - known_first < len(known)
            else f"{iso_ms(seq / rate)} {self.body(path, seq)}"
            for seq in range(first, last + 1)
        ]
        self._history[key] = (first, texts)
        injected = self._injected(path, list(self.state.injected))
        if not injected:
            return texts
        lines = [(seq / rate, text) for seq, text in zip(range(first, last + 1), texts, strict=True)]
        lines = sorted(lines + injected, key=lambda pair: pair[0])
        return [text for _, text in lines[-count:]]

    # ------------------------------------------------------------------ live
    async def follow(self, path: str) -> AsyncGenerator[str, None]:
        """Newly written lines of `path`, as newline-terminated text chunks, forever."""
        if path == FIREHOSE_LOG or self.rate <= 0:
            async for chunk in self.firehose(path):
                yield chunk
            return
        seen_injected = self.state.injected_total
        next_seq = int(time.time() * self.file_rate(path)) + 1
        scenario = self.state.scenario
        while True:
            rate = self.file_rate(path)
            tick = min(_MAX_TICK_S, max(_MIN_TICK_S, 1.0 / rate))
            await asyncio.sleep(tick)
            now = time.time()
            if self.state.scenario != scenario:  # another mix, another rate: restart the clock
                scenario = self.state.scenario
                rate = self.file_rate(path)
                next_seq = int(now * rate)
            last = int(now * rate)
            out = [f"{iso_ms(seq / rate)} {self.body(path, seq)}\n" for seq in range(next_seq, last + 1)]
            next_seq = max(next_seq, last + 1)
            items, seen_injected = self.state.injected_since(seen_injected)
            out.extend(f"{text}\n" for _, text in self._injected(path, items))
            if out:
                yield "".join(out)

    async def firehose(self, path: str) -> AsyncGenerator[str, None]:
        """Chunks of FIREHOSE_CHUNK_LINES lines, as fast as the consumer takes them."""
        while True:
            bodies = self._firehose_bodies(path)
            stamp = iso_ms(time.time()) + " "
            yield stamp + ("\n" + stamp).join(bodies) + "\n"
            await asyncio.sleep(0)

    def _firehose_bodies(self, path: str) -> list[str]:
        key = (self.state.scenario, path == ERROR_LOG)
        bodies = self._firehose_cache.get(key)
        if bodies is None:
            source = COMBINED_LOG if path == FIREHOSE_LOG else path
            bodies = [self.body(source, seq) for seq in range(FIREHOSE_CHUNK_LINES)]
            self._firehose_cache[key] = bodies
        return bodies
