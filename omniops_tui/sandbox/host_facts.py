"""One host's figures at one moment, which every command the host answers agrees on.

Every figure comes from the scenario's profile plus a small, stable per-host offset so a fleet
does not look cloned (prod-1 has no offset). Kept apart from host_commands.py (which renders
these facts in each real tool's format) because the Prometheus exposition and the host's
operations read the same facts without rendering anything.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from omniops_tui.sandbox.scenarios import ProductionState

NPROC = 4
MEM_TOTAL_MB = 7962
SWAP_TOTAL_MB = 2047
DISK_BLOCKS_1K = 83_886_080  # 80 GiB root filesystem
HOST_UPTIME_BASE_S = 1_040_000  # about 12 days


def _jitter(index: int, salt: int) -> float:
    """A stable offset in [-1, 1] for host `index`; 0 for the first host (predictable tests)."""
    if index == 0:
        return 0.0
    return ((index * 37 + salt * 11) % 7 - 3) / 3


@dataclass(frozen=True, slots=True)
class HostFacts:
    """The figures every command of one host agrees on, at one moment."""

    hostname: str
    scenario: str
    app_running: bool
    version: str
    cpu_percent: float
    load: tuple[float, float, float]
    mem_used_mb: int
    mem_total_mb: int
    disk_used_percent: int
    uptime_s: float
    app_uptime_s: float
    nproc: int = NPROC

    @classmethod
    def of(cls, state: ProductionState, hostname: str, index: int) -> HostFacts:
        p = state.profile
        cpu = round(min(99.0, max(0.5, p.cpu_percent + 2.5 * _jitter(index, 1))), 1)
        scale = cpu / p.cpu_percent if p.cpu_percent else 1.0
        load = (round(p.load[0] * scale, 2), round(p.load[1] * scale, 2), round(p.load[2] * scale, 2))
        disk = p.disk_used_percent
        if p.name != "disk-full":  # a full disk is the same 97 % everywhere: the scenario's point
            disk += round(3 * _jitter(index, 2))
        return cls(
            hostname=hostname,
            scenario=p.name,
            app_running=p.app_running,
            version=state.version,
            cpu_percent=cpu,
            load=load,
            mem_used_mb=int(p.mem_used_mb + 120 * _jitter(index, 3)),
            mem_total_mb=MEM_TOTAL_MB,
            disk_used_percent=disk,
            uptime_s=HOST_UPTIME_BASE_S + index * 3_600 + (time.time() - state.started_wall),
            app_uptime_s=state.uptime(),
        )

    # ------------------------------------------------------------- derived figures
    @property
    def mem_buff_cache_mb(self) -> int:
        return min(int(self.mem_total_mb * 0.5), self.mem_total_mb - self.mem_used_mb - 300)

    @property
    def mem_free_mb(self) -> int:
        return self.mem_total_mb - self.mem_used_mb - self.mem_buff_cache_mb

    @property
    def mem_available_mb(self) -> int:
        return self.mem_free_mb + self.mem_buff_cache_mb - 145

    @property
    def node_rss_kb(self) -> int:
        return int(self.mem_used_mb * 0.68 * 1024) if self.app_running else 0

    @property
    def disk_used_kb(self) -> int:
        # (pct - 0.5) % of the blocks, so df's rounded-up Use% is exactly disk_used_percent
        return int(DISK_BLOCKS_1K * (self.disk_used_percent - 0.5) / 100)

    def to_probe(self) -> dict[str, object]:
        return {
            "load1": self.load[0],
            "load5": self.load[1],
            "load15": self.load[2],
            "cpu_percent": self.cpu_percent,
            "mem_used_mb": self.mem_used_mb,
            "mem_total_mb": self.mem_total_mb,
            "disk_used_percent": self.disk_used_percent,
            "uptime_s": round(self.uptime_s, 1),
            "nproc": self.nproc,
            "hostname": self.hostname,
        }
