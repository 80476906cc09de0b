"""What a production host answers to the read-only commands of the runbooks.

Every figure comes from one `HostFacts` (host_facts.py), and every command renders those
same facts in the *standard* format of the real tool (`/proc/loadavg`, procps `free -m`,
POSIX `df -P`, `top -bn1`, docker-compose v1 `ps`, pm2 tables). Checks must parse those
standard outputs: real hosts do not have `omniops-probe`, which exists here only as a
convenience and prints the same facts as one JSON object.
"""

from __future__ import annotations

import json
import time

from omniops_tui.sandbox.host_facts import DISK_BLOCKS_1K, SWAP_TOTAL_MB, HostFacts

NODE_PID = 48213


# ----------------------------------------------------------------------------- rendering
def _clock() -> str:
    return time.strftime("%H:%M:%S", time.gmtime())


def _uptime_phrase(seconds: float) -> str:
    days, rest = divmod(int(seconds), 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    clock = f"{hours:2d}:{minutes:02d}" if hours else f"{minutes} min"
    if days:
        return f"{days} day{'s' if days != 1 else ''}, {clock}"
    return clock


def _load_phrase(f: HostFacts) -> str:
    return f"load average: {f.load[0]:.2f}, {f.load[1]:.2f}, {f.load[2]:.2f}"


def uptime(f: HostFacts) -> str:
    return f" {_clock()} up {_uptime_phrase(f.uptime_s)},  1 user,  {_load_phrase(f)}\n"


def loadavg(f: HostFacts) -> str:
    running = max(1, round(f.load[0]))
    return f"{f.load[0]:.2f} {f.load[1]:.2f} {f.load[2]:.2f} {running}/311 {NODE_PID + 977}\n"


def free_m(f: HostFacts) -> str:
    return (
        "               total        used        free      shared  buff/cache   available\n"
        f"Mem:      {f.mem_total_mb:>10} {f.mem_used_mb:>11} {f.mem_free_mb:>11} {145:>11} "
        f"{f.mem_buff_cache_mb:>11} {f.mem_available_mb:>11}\n"
        f"Swap:     {SWAP_TOTAL_MB:>10} {0:>11} {SWAP_TOTAL_MB:>11}\n"
    )


def df_posix(f: HostFacts) -> str:
    used = f.disk_used_kb
    avail = DISK_BLOCKS_1K - used
    return (
        "Filesystem     1024-blocks     Used Available Capacity Mounted on\n"
        f"/dev/nvme0n1p1 {DISK_BLOCKS_1K:>11} {used:>8} {avail:>9} {f.disk_used_percent:>7}% /\n"
    )


def _human_kb(kb: float) -> str:
    gib = kb / 1024 / 1024
    if gib >= 10:
        return f"{gib:.0f}G"
    if gib >= 1:
        return f"{gib:.1f}G"
    return f"{kb / 1024:.0f}M"


def df_h(f: HostFacts) -> str:
    used = f.disk_used_kb
    rows = [
        ("Filesystem", "Size", "Used", "Avail", "Use%", "Mounted on"),
        (
            "/dev/nvme0n1p1",
            _human_kb(DISK_BLOCKS_1K),
            _human_kb(used),
            _human_kb(DISK_BLOCKS_1K - used),
            f"{f.disk_used_percent}%",
            "/",
        ),
        ("tmpfs", "3.9G", "0", "3.9G", "0%", "/dev/shm"),
        ("/dev/nvme0n1p15", "105M", "6.1M", "99M", "6%", "/boot/efi"),
    ]
    return "".join(f"{a:<15} {b:>5} {c:>5} {d:>5} {e:>4} {g}\n" for a, b, c, d, e, g in rows)


def top(f: HostFacts) -> str:
    idle = max(0.0, 100.0 - f.cpu_percent)
    us = round(f.cpu_percent * 0.88, 1)
    sy = round(f.cpu_percent - us - 0.4, 1) if f.cpu_percent > 1 else 0.0
    header = (
        f"top - {_clock()} up {_uptime_phrase(f.uptime_s)},  1 user,  {_load_phrase(f)}\n"
        f"Tasks: 142 total,   1 running, 141 sleeping,   0 stopped,   0 zombie\n"
        f"%Cpu(s): {us:4.1f} us, {sy:4.1f} sy,  0.0 ni, {idle:4.1f} id,  0.3 wa,  0.0 hi,  0.1 si,  0.0 st\n"
        f"MiB Mem : {f.mem_total_mb:8.1f} total, {f.mem_free_mb:8.1f} free, {f.mem_used_mb:8.1f} used, "
        f"{f.mem_buff_cache_mb:8.1f} buff/cache\n"
        f"MiB Swap: {SWAP_TOTAL_MB:8.1f} total, {SWAP_TOTAL_MB:8.1f} free, {0:8.1f} used. "
        f"{f.mem_available_mb:8.1f} avail Mem\n"
        "\n"
        "    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n"
    )
    procs: list[tuple[int, str, str, str, str, str, float, float, str, str]] = []
    if f.app_running:
        rss_kb = f.node_rss_kb
        procs.append(
            (
                NODE_PID,
                "omniops",
                "22.1g",
                f"{rss_kb / 1024 / 1024:.1f}g",
                "41320",
                "S",
                f.cpu_percent,
                rss_kb / 1024 / f.mem_total_mb * 100,
                "812:04.17",
                "node",
            )
        )
        procs.append(
            (
                NODE_PID + 41,
                "omniops",
                "11.4g",
                "312852",
                "38112",
                "S",
                round(f.cpu_percent * 0.04, 1),
                3.8,
                "35:12.40",
                "npm run worker",
            )
        )
    procs += [
        (1207, "root", "1489512", "91244", "52008", "S", 1.3, 1.1, "201:33.02", "dockerd"),
        (1422, "redis", "72948", "18312", "3940", "S", 0.7, 0.2, "96:10.55", "redis-server"),
        (1590, "www-data", "56684", "9876", "5212", "S", 0.3, 0.1, "12:45.90", "nginx"),
        (1, "root", "167364", "12920", "8340", "S", 0.0, 0.2, "1:12.44", "systemd"),
        (842, "root", "15436", "9112", "7780", "S", 0.0, 0.1, "0:02.13", "sshd"),
        (611, "root", "47020", "15388", "14224", "S", 0.0, 0.2, "0:31.78", "systemd-journal"),
        (903, "syslog", "222404", "6020", "4100", "S", 0.0, 0.1, "0:09.61", "rsyslogd"),
        (917, "root", "9492", "2816", "2564", "S", 0.0, 0.0, "0:03.27", "cron"),
    ]
    rows = "".join(
        f"{pid:>7} {user:<9} 20   0 {virt:>7} {res:>6} {shr:>6} {st} {cpu:5.1f} {mem:5.1f} {tm:>9} {cmd}\n"
        for pid, user, virt, res, shr, st, cpu, mem, tm, cmd in procs
    )
    return header + rows


def docker_compose_ps(f: HostFacts) -> str:
    app_state = (
        "Exit 137" if not f.app_running else ("Up (unhealthy)" if f.scenario == "db-down" else "Up (healthy)")
    )
    worker_state = "Exit 137" if not f.app_running else "Up"
    rows = [
        (
            "omniops-app",
            "docker-entrypoint.sh npm start",
            app_state,
            "" if not f.app_running else "0.0.0.0:3000->3000/tcp",
        ),
        ("omniops-nginx", "/docker-entrypoint.sh ngin ...", "Up", "0.0.0.0:443->443/tcp, 0.0.0.0:80->80/tcp"),
        ("omniops-redis", "docker-entrypoint.sh redis ...", "Up", "6379/tcp"),
        ("omniops-worker", "docker-entrypoint.sh npm r ...", worker_state, ""),
    ]
    head = f"{'Name':^16}{'Command':^34}{'State':^18}{'Ports':^40}\n"
    line = "-" * 108 + "\n"
    body = "".join(f"{n:<16}{c:<34}{s:<18}{p}\n".rstrip(" \n") + "\n" for n, c, s, p in rows)
    return head + line + body


def _pm2_fields(f: HostFacts) -> dict[str, str]:
    if not f.app_running:
        return {"pid": "0", "uptime": "0", "restarts": "15", "status": "errored", "cpu": "0%", "mem": "0b"}
    days = int(f.app_uptime_s // 86400)
    up = (
        f"{days}D"
        if days
        else (
            f"{int(f.app_uptime_s // 3600)}h" if f.app_uptime_s >= 3600 else f"{int(f.app_uptime_s // 60)}m"
        )
    )
    return {
        "pid": str(NODE_PID),
        "uptime": up,
        "restarts": "0",
        "status": "online",
        "cpu": f"{f.cpu_percent:g}%",
        "mem": f"{f.node_rss_kb / 1024 / 1024:.1f}gb",
    }


def pm2_status(f: HostFacts) -> str:
    v = _pm2_fields(f)
    cols = [
        ("id", 4),
        ("name", 16),
        ("namespace", 13),
        ("version", 9),
        ("mode", 9),
        ("pid", 10),
        ("uptime", 8),
        ("↺", 6),
        ("status", 11),
        ("cpu", 10),
        ("mem", 10),
        ("user", 10),
        ("watching", 10),
    ]
    values = [
        "0",
        "omniops-app",
        "default",
        f.version.lstrip("v"),
        "cluster",
        v["pid"],
        v["uptime"],
        v["restarts"],
        v["status"],
        v["cpu"],
        v["mem"],
        "omniops",
        "disabled",
    ]

    def rule(left: str, mid: str, right: str) -> str:
        return left + mid.join("─" * w for _, w in cols) + right + "\n"

    def row(cells: list[str]) -> str:
        return "│" + "│".join(f" {c:<{w - 1}}" for c, (_, w) in zip(cells, cols, strict=True)) + "│\n"

    return (
        rule("┌", "┬", "┐")
        + row([name for name, _ in cols])
        + rule("├", "┼", "┤")
        + row(values)
        + rule("└", "┴", "┘")
    )


def pm2_describe(f: HostFacts) -> str:
    v = _pm2_fields(f)
    rows = [
        ("status", v["status"]),
        ("name", "omniops-app"),
        ("namespace", "default"),
        ("version", f.version.lstrip("v")),
        ("restarts", v["restarts"]),
        ("uptime", v["uptime"]),
        ("script path", "/opt/omniops/node_modules/.bin/next"),
        ("script args", "start"),
        ("error log path", "/home/omniops/.pm2/logs/omniops-app-error.log"),
        ("out log path", "/home/omniops/.pm2/logs/omniops-app-out.log"),
        ("pid path", "/home/omniops/.pm2/pids/omniops-app-0.pid"),
        ("interpreter", "node"),
        ("exec cwd", "/opt/omniops"),
        ("exec mode", "cluster_mode"),
        ("node.js version", "18.19.0"),
        ("cpu", v["cpu"]),
        ("memory", v["mem"]),
        ("watch & reload", "✘"),
        ("unstable restarts", "0"),
    ]
    width = max(len(k) for k, _ in rows) + 2
    body = "".join(f"│ {k:<{width}}│ {val:<40}│\n" for k, val in rows)
    return f" Describing process with id 0 - name omniops-app \n{body}"


def docker_stats(f: HostFacts, names: list[str]) -> str:
    app_cpu = f.cpu_percent if f.app_running else 0.0
    app_mem = f.node_rss_kb / 1024 / 1024 if f.app_running else 0.0
    limit = f.mem_total_mb / 1024
    stats = {
        "omniops-app": (
            "3f2a9c1b7d4e",
            app_cpu,
            app_mem,
            "1.2GB / 3.4GB",
            "12.3MB / 0B",
            23 if f.app_running else 0,
        ),
        "omniops-nginx": ("8c1d0e5f2a3b", 0.3, 0.011, "3.5GB / 3.6GB", "1.1MB / 0B", 5),
        "omniops-redis": ("5b7e9a2c4d6f", 0.7, 0.018, "450MB / 610MB", "0B / 12.1MB", 6),
        "omniops-worker": (
            "a9e4b3c2d1f0",
            round(app_cpu * 0.04, 2),
            0.3 if f.app_running else 0.0,
            "210MB / 95MB",
            "2.2MB / 0B",
            11 if f.app_running else 0,
        ),
    }
    wanted = names or list(stats)
    out = [
        "CONTAINER ID   NAME             CPU %     MEM USAGE / LIMIT     MEM %     NET I/O"
        "           BLOCK I/O         PIDS\n"
    ]
    for name in wanted:
        if name not in stats:
            raise LookupError(name)
        cid, cpu, mem_gib, net, block, pids = stats[name]
        used = f"{mem_gib:.2f}GiB" if mem_gib >= 1 else f"{mem_gib * 1024:.1f}MiB"
        usage = f"{used} / {limit:.3f}GiB"
        cpu_text = f"{cpu:.2f}%"
        mem_text = f"{mem_gib / limit * 100:.2f}%"
        out.append(
            f"{cid}   {name:<16} {cpu_text:<9} {usage:<21} {mem_text:<9} {net:<17} {block:<17} {pids}\n"
        )
    return "".join(out)


def probe(f: HostFacts) -> str:
    return json.dumps(f.to_probe()) + "\n"
