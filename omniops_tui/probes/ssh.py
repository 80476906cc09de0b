"""SSH probes (asyncssh): the read-only commands the runbooks run with `ssh production "…"`.

Each check runs one command on one host (the runner expands a check to every configured
host) over the context's pooled connection, and parses the *standard* output of the real tool
(procps `top -bn1` and `free -m`, POSIX `df -P`, `/proc/loadavg`, docker-compose `ps`, the pm2
table). A host may override a command in its config (`commands = { cpu = "…" }`). Every
command, the checks' own and the overrides, goes through the read-only allow-list
(`probes.readonly`) and runs re-quoted word by word; its output is read up to the context's cap
(`max_response_mb`) and the channel closed past it. Host keys are checked against known_hosts
by the context; an unknown key is refused, never accepted.
"""

from __future__ import annotations

import re
from typing import Any

from omniops_tui.config.model import HostConfig
from omniops_tui.core.status import Status
from omniops_tui.probes.base import CheckResult, CheckSpec, fmt_number, truncate
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.readonly import parse_readonly
from omniops_tui.probes.registry import threshold_of
from omniops_tui.probes.ssh_exec import DEFAULT_COMMANDS, Ran, host_command, run

__all__ = ["DEFAULT_COMMANDS", "Ran", "host_command", "run"]  # the sampler and the app import these here


def _host(spec: CheckSpec, context: CheckContext) -> HostConfig | None:
    return context.host(spec.host) if spec.host else None


def _no_host(spec: CheckSpec, context: CheckContext) -> CheckResult:
    if spec.host:
        return CheckResult.not_configured(f"host {spec.host} is not in [env.{context.env_name}]")
    env = f"[env.{context.env_name}]" if context.environment else "the config"
    return CheckResult.not_configured(f"no SSH hosts in {env}")


def _judge(spec: CheckSpec, label: str, value: float, unit: str) -> tuple[Status, str]:
    threshold = threshold_of(spec)
    if threshold is None:
        return "pass", f"{label} {fmt_number(value)} {unit}".strip()
    return threshold.judge(value), threshold.describe(label, value, unit)


# ------------------------------------------------------------------------------ parsers
def parse_top_cpu(text: str) -> float | None:
    """Busy CPU percent (100 - idle) from the `%Cpu(s):` line of `top -bn1`."""
    for line in text.splitlines():
        if "cpu" in line.lower() and ("id," in line or "%id" in line or " id" in line):
            match = re.search(r"([\d.]+)\s*%?\s*id\b", line)
            if match:
                return round(100.0 - float(match.group(1)), 1)
    return None


def parse_loadavg(text: str) -> tuple[float, float, float] | None:
    """(1, 5, 15 minute load) from /proc/loadavg or the `load average:` of uptime/top."""
    match = re.search(r"load averages?:\s*([\d.]+),?\s+([\d.]+),?\s+([\d.]+)", text)
    if match is None:
        match = re.match(r"\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s", text)
    if match is None:
        return None
    one, five, fifteen = (float(g) for g in match.groups())
    return one, five, fifteen


def parse_free(text: str) -> dict[str, int] | None:
    """total, used and (when shown) available MiB from the `Mem:` line of `free -m`."""
    header: list[str] = []
    for line in text.splitlines():
        words = line.split()
        if words and words[0] == "total":
            header = words
        elif words and words[0] == "Mem:":
            numbers = [int(w) for w in words[1:] if w.isdigit()]
            if not numbers:
                return None
            names = header or ["total", "used", "free", "shared", "buff/cache", "available"]
            return dict(zip(names, numbers, strict=False))
    return None


def parse_df(text: str) -> dict[str, Any] | None:
    """Use%, size and mount from `df -P` (the last data line: the filesystem of the path)."""
    rows = [line.split() for line in text.splitlines()[1:] if line.strip()]
    for words in reversed(rows):
        percent = next((w for w in words if re.fullmatch(r"\d+%", w)), None)
        if percent:
            numbers = [int(w) for w in words if w.isdigit()]
            return {
                "percent": int(percent[:-1]),
                "filesystem": words[0],
                "mount": words[-1],
                "size_kb": numbers[0] if numbers else None,
                "available_kb": numbers[2] if len(numbers) > 2 else None,
            }
    return None


_V1_STATE = re.compile(r"\s(Up(?: \([^)]*\))?|Exit -?\d+|Restarting|Paused|Dead|Created)(?:\s|$)")
_BAD_STATES = ("exit", "restarting", "unhealthy", "paused", "dead", "created", "removing")


def parse_compose_ps(text: str) -> list[tuple[str, str]]:
    """(service, state) rows of `docker-compose ps` (v1 table, or v2 with a STATUS column)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    header = lines[0]
    rows: list[tuple[str, str]] = []
    v2 = "STATUS" in header
    for line in lines[1:]:
        if set(line.strip()) <= {"-"}:
            continue
        name = line.split()[0]
        if v2:
            start = header.index("STATUS")
            end = header.find("PORTS")
            state = line[start : end if end > start else None].strip()
        else:
            match = _V1_STATE.search(line)
            state = match.group(1) if match else "?"
        rows.append((name, state))
    return rows


def parse_pm2(text: str) -> list[tuple[str, str]]:
    """(process name, status) rows of the `pm2 status` / `pm2 list` table."""
    header: list[str] | None = None
    rows: list[tuple[str, str]] = []
    for line in text.splitlines():
        if "│" not in line and "|" not in line:
            continue
        cells = [c.strip() for c in re.split(r"[│|]", line)[1:-1]]
        if header is None:
            if "status" in cells and "name" in cells:
                header = cells
            continue
        if len(cells) == len(header) and cells[header.index("name")]:
            rows.append((cells[header.index("name")], cells[header.index("status")]))
    return rows


# ------------------------------------------------------------------------------ checks
async def check_ssh_command(spec: CheckSpec, context: CheckContext) -> CheckResult:
    host = _host(spec, context)
    if host is None:
        return _no_host(spec, context)
    ran = await run(context, host, parse_readonly(str(spec.param("command")), context.render))
    if not ran.ok:
        return ran.failure(ran.command)
    contains = spec.param("contains")
    if contains and contains not in ran.stdout:
        return CheckResult(
            "fail", ran.exit_status, "", f"exit 0 but no '{contains}' in the output", ran.evidence()
        )
    last = ran.stdout.strip().splitlines()[-1:] or [""]
    return CheckResult("pass", 0, "", f"exit 0: {last[0]}"[:120].rstrip(": "), ran.evidence())


async def check_ssh_uptime(spec: CheckSpec, context: CheckContext) -> CheckResult:
    host = _host(spec, context)
    if host is None:
        return _no_host(spec, context)
    ran = await run(context, host, host_command(host, "uptime"))
    if not ran.ok:
        return ran.failure("uptime")
    load = parse_loadavg(ran.stdout)
    up = re.search(r"up\s+(.+?),\s+\d+\s+users?", ran.stdout)
    summary = f"up {up.group(1).strip()}" if up else "answering"
    if load is None:
        return CheckResult("pass", None, "", summary, ran.evidence())
    status, judged = _judge(spec, "load", load[0], "") if spec.threshold else ("pass", "")
    tail = judged or f"load {fmt_number(load[0])} {fmt_number(load[1])} {fmt_number(load[2])}"
    return CheckResult(status, load[0], "", f"{summary}, {tail}", ran.evidence(load=list(load)))


async def check_ssh_cpu(spec: CheckSpec, context: CheckContext) -> CheckResult:
    host = _host(spec, context)
    if host is None:
        return _no_host(spec, context)
    ran = await run(context, host, host_command(host, "cpu"))
    busy = parse_top_cpu(ran.stdout) if ran.ok else None
    how = "top"
    if busy is None:
        loadavg = await run(context, host, host_command(host, "loadavg"))
        nproc = await run(context, host, host_command(host, "nproc"))
        load = parse_loadavg(loadavg.stdout) if loadavg.ok else None
        cores = int(nproc.stdout.strip()) if nproc.ok and nproc.stdout.strip().isdigit() else 0
        if load is None or not cores:
            return (
                ran.failure("top -bn1")
                if not ran.ok
                else CheckResult(
                    "error", None, "%", "cannot read CPU from top, /proc/loadavg or nproc", ran.evidence()
                )
            )
        busy = round(min(100.0, 100.0 * load[0] / cores), 1)
        how = f"load {fmt_number(load[0])} / {cores} cores"
        ran = Ran(host, f"{loadavg.command}; {nproc.command}", 0, loadavg.stdout + nproc.stdout, "")
    status, judged = _judge(spec, "CPU", busy, "%")
    return CheckResult(
        status, busy, "%", judged + (f" ({how})" if how != "top" else ""), ran.evidence(source=how)
    )


async def check_ssh_memory(spec: CheckSpec, context: CheckContext) -> CheckResult:
    host = _host(spec, context)
    if host is None:
        return _no_host(spec, context)
    ran = await run(context, host, host_command(host, "memory"))
    if not ran.ok:
        return ran.failure("free -m")
    figures = parse_free(ran.stdout)
    if not figures or not figures.get("total"):
        return CheckResult("error", None, "%", "cannot parse `free -m`", ran.evidence())
    total = figures["total"]
    in_use = total - figures["available"] if "available" in figures else figures.get("used", 0)
    percent = round(100.0 * in_use / total, 1)
    status, judged = _judge(spec, "memory", percent, "%")
    samples = context.remember(f"{spec.base_id}@{host.name}", percent)
    rise = round(percent - min(v for _t, v in samples), 1)
    max_rise = float(spec.param("max_rise", 10.0))
    size = f"{in_use / 1024:.1f} GB / {total / 1024:.1f} GB"
    summary = f"{judged} ({size})"
    if rise > max_rise and status == "pass":
        minutes = (samples[-1][0] - samples[0][0]) / 60
        status, summary = "warn", f"{summary}, rising: +{fmt_number(rise)} points in {minutes:.0f} min"
    elif len(samples) > 1:
        summary += f", stable over {len(samples)} samples" if rise <= max_rise else ""
    return CheckResult(
        status,
        percent,
        "%",
        summary,
        ran.evidence(used_mb=in_use, total_mb=total, rise_points=rise, samples=len(samples)),
    )


async def check_ssh_disk(spec: CheckSpec, context: CheckContext) -> CheckResult:
    host = _host(spec, context)
    if host is None:
        return _no_host(spec, context)
    path = str(spec.param("path", "/"))
    ran = await run(context, host, host_command(host, "disk", path=path))
    if not ran.ok:
        return ran.failure(f"df -P {path}")
    figures = parse_df(ran.stdout)
    if figures is None:
        return CheckResult("error", None, "%", "cannot parse `df -P`", ran.evidence())
    percent = figures["percent"]
    status, judged = _judge(spec, f"disk {figures['mount']}", percent, "%")
    free = figures.get("available_kb")
    tail = f" ({free / 1048576:.1f} GB free)" if free else ""
    return CheckResult(status, percent, "%", judged + tail, ran.evidence(**figures))


async def check_ssh_docker_compose(spec: CheckSpec, context: CheckContext) -> CheckResult:
    host = _host(spec, context)
    if host is None:
        return _no_host(spec, context)
    ran = await run(context, host, host_command(host, "docker_compose"))
    if not ran.ok:
        return ran.failure("docker-compose ps")
    services = parse_compose_ps(ran.stdout)
    if not services:
        return CheckResult("fail", 0, "services", "docker-compose ps lists no services", ran.evidence())
    bad = [
        (n, s)
        for n, s in services
        if not s.lower().startswith("up") or any(word in s.lower() for word in _BAD_STATES)
    ]
    evidence = ran.evidence(services=dict(services))
    if bad:
        shown = ", ".join(f"{n} {s}" for n, s in bad)
        return CheckResult(
            "fail",
            len(services) - len(bad),
            "services",
            f"{len(bad)} of {len(services)} not up: {shown}",
            evidence,
        )
    return CheckResult("pass", len(services), "services", f"all {len(services)} services up", evidence)


async def check_ssh_pm2(spec: CheckSpec, context: CheckContext) -> CheckResult:
    host = _host(spec, context)
    if host is None:
        return _no_host(spec, context)
    ran = await run(context, host, host_command(host, "pm2"))
    if not ran.ok:
        return ran.failure("pm2 status")
    processes = parse_pm2(ran.stdout)
    if not processes:
        return CheckResult("fail", 0, "processes", "pm2 lists no processes", ran.evidence())
    bad = [(n, s) for n, s in processes if s != "online"]
    evidence = ran.evidence(processes=dict(processes))
    if bad:
        shown = ", ".join(f"{n} {s}" for n, s in bad)
        return CheckResult(
            "fail",
            len(processes) - len(bad),
            "processes",
            f"{len(bad)} of {len(processes)} not online: {shown}",
            evidence,
        )
    return CheckResult(
        "pass", len(processes), "processes", f"all {len(processes)} processes online", evidence
    )


async def check_ssh_log_errors(spec: CheckSpec, context: CheckContext) -> CheckResult:
    host = _host(spec, context)
    if host is None:
        return _no_host(spec, context)
    log = spec.param("log") or (host.logs[0] if host.logs else "")
    if not log:
        return CheckResult.not_configured(f"no log for {host.name} (set logs in its [[hosts]] table)")
    lines = int(spec.param("lines", 500))
    pattern = str(spec.param("pattern", "ERROR"))
    ran = await run(context, host, host_command(host, "log", lines=lines, log=log))
    if not ran.ok:
        return ran.failure(f"tail {log}")
    read = [line for line in ran.stdout.splitlines() if line.strip()]
    if not read:
        return CheckResult.unknown(f"{log} is empty", **ran.evidence())
    errors = [line for line in read if pattern in line]
    percent = round(100.0 * len(errors) / len(read), 2)
    status, judged = _judge(spec, f"{pattern} lines", percent, "%")
    evidence = ran.evidence(
        errors=len(errors), lines=len(read), last_errors=[truncate(e, 200) for e in errors[-5:]]
    )
    evidence["answer"] = truncate("\n".join(errors[-5:]) or f"no {pattern} in the last {len(read)} lines")
    return CheckResult(status, percent, "%", f"{judged} ({len(errors)} of the last {len(read)})", evidence)
