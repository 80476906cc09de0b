"""The check kinds that run read-only commands on the hosts over SSH (one result per host).

Declarations only (schema, defaults, where the code lives); the registry indexes them.
"""

from __future__ import annotations

from omniops_tui.probes.kind import CheckKind, limits_threshold, param

KINDS: list[CheckKind] = []  # in declaration order; probes/registry.py indexes them by name
declare = KINDS.append

_SSH = "omniops_tui.probes.ssh"

# ----------------------------------------------------------------------------------- SSH
_HOSTS = param(list, doc="host names to run on (default: every configured host)")
declare(
    CheckKind(
        "ssh_command",
        _SSH,
        "check_ssh_command",
        "ssh",
        "Run a read-only command on each host; pass on exit 0 (and `contains` found).",
        {"command": param(str, required=True), "contains": param(str), "hosts": _HOSTS},
        uses_threshold=False,
        per_host=True,
    )
)
declare(
    CheckKind(
        "ssh_uptime",
        _SSH,
        "check_ssh_uptime",
        "ssh",
        "`uptime`: the host answers (value: 1-minute load).",
        {"hosts": _HOSTS},
        per_host=True,
    )
)
declare(
    CheckKind(
        "ssh_cpu",
        _SSH,
        "check_ssh_cpu",
        "ssh",
        "CPU busy percent from `top -bn1` (else /proc/loadavg over nproc).",
        {"hosts": _HOSTS},
        default_threshold=limits_threshold("cpu_percent"),
        per_host=True,
    )
)
declare(
    CheckKind(
        "ssh_memory",
        _SSH,
        "check_ssh_memory",
        "ssh",
        "Memory in use from `free -m`, percent; across sweeps a rise of more than `max_rise` points "
        "turns it amber (memory not stable).",
        {"hosts": _HOSTS, "max_rise": param(int, float, default=10.0)},
        default_threshold=limits_threshold("mem_percent"),
        per_host=True,
    )
)
declare(
    CheckKind(
        "ssh_disk",
        _SSH,
        "check_ssh_disk",
        "ssh",
        "Disk use percent from `df -P PATH`.",
        {"hosts": _HOSTS, "path": param(str, default="/")},
        default_threshold=limits_threshold("disk_percent"),
        per_host=True,
    )
)
declare(
    CheckKind(
        "ssh_docker_compose",
        _SSH,
        "check_ssh_docker_compose",
        "ssh",
        "`docker-compose ps`: every service Up and not unhealthy (unknown when docker-compose is absent).",
        {"hosts": _HOSTS},
        uses_threshold=False,
        per_host=True,
    )
)
declare(
    CheckKind(
        "ssh_pm2",
        _SSH,
        "check_ssh_pm2",
        "ssh",
        "`pm2 status`: every process online (unknown when pm2 is absent).",
        {"hosts": _HOSTS},
        uses_threshold=False,
        per_host=True,
    )
)
declare(
    CheckKind(
        "ssh_log_errors",
        _SSH,
        "check_ssh_log_errors",
        "ssh",
        "Share of ERROR lines among the last `lines` lines of a log (default: the host's first log).",
        {
            "hosts": _HOSTS,
            "log": param(str),
            "lines": param(int, default=500),
            "pattern": param(str, default="ERROR"),
        },
        default_threshold=limits_threshold("log_error_share"),
        per_host=True,
    )
)
