"""Thresholds, statistics, masking and the SSH output parsers: the pure parts of the checks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from omniops_tui.probes.base import CheckResult, Threshold, fmt_number, mask_url, worst
from omniops_tui.probes.http import get_field
from omniops_tui.probes.latency_check import percentile
from omniops_tui.probes.postgres import weighted_percentile
from omniops_tui.probes.ssh import (
    parse_compose_ps,
    parse_df,
    parse_free,
    parse_loadavg,
    parse_pm2,
    parse_top_cpu,
)


@pytest.mark.parametrize(
    ("threshold", "value", "status", "text"),
    [
        (Threshold(below=500), 420, "pass", "P95 420 ms < 500 ms"),
        (Threshold(below=500), 500, "fail", "P95 500 ms >= 500 ms"),
        (Threshold(below=500), 612, "fail", "P95 612 ms >= 500 ms"),
        (Threshold(above=80), 89, "pass", "P95 89 ms > 80 ms"),
        (Threshold(above=80), 80, "fail", "P95 80 ms <= 80 ms"),
        (Threshold(below=500, warn_above=100), 240, "warn", "P95 240 ms > 100 ms"),
        (Threshold(below=500, warn_above=100), 75, "pass", "P95 75 ms < 500 ms"),
        (Threshold(above=0, warn_below=14), 5, "warn", "P95 5 ms < 14 ms"),
        (Threshold(above=0, warn_below=14), -2, "fail", "P95 -2 ms <= 0 ms"),
        (Threshold(warn_above=0), 0, "pass", "P95 0 ms <= 0 ms"),
        (Threshold(warn_above=0), 2, "warn", "P95 2 ms > 0 ms"),
    ],
)
def test_threshold_judges_like_the_runbooks_read(
    threshold: Threshold, value: float, status: str, text: str
) -> None:
    assert threshold.judge(value) == status
    assert threshold.describe("P95", value, "ms") == text


def test_error_rate_is_a_percent_number() -> None:
    """0.03 means 0.03 % (the application's unit): under the 0.1 % bound; 8.2 is over."""
    rate = Threshold(below=0.1)
    assert rate.judge(0.03) == "pass"
    assert rate.describe("error rate", 0.03, "%") == "error rate 0.03 % < 0.1 %"
    assert rate.judge(8.2) == "fail"
    assert Threshold(below=0.5).judge(0.4) == "pass"


def test_percentiles() -> None:
    assert percentile(list(range(1, 51)), 0.95) == 48  # nearest rank of 50 samples
    assert percentile([7.0], 0.95) == 7.0
    # 95 % of the calls run a 2 ms statement; the 5 % tail is slow: P95 is still 2 ms …
    assert weighted_percentile([(2.0, 950), (400.0, 50)]) == 2.0
    # … but when the slow statement is 10 % of the calls, P95 is its mean.
    assert weighted_percentile([(2.0, 900), (400.0, 100)]) == 400.0
    assert weighted_percentile([]) == 0.0


def test_fields_numbers_statuses() -> None:
    data = {"responseTime": {"p95": 612}, "list": [{"a": 1}], "database": "connected"}
    assert get_field(data, "responseTime/p95") == (True, 612)
    assert get_field(data, "responseTime.p95") == (True, 612)
    assert get_field(data, "list.0.a") == (True, 1)
    assert get_field(data, "missing")[0] is False
    assert fmt_number(0.03) == "0.03" and fmt_number(612.0) == "612" and fmt_number(1234.5) == "1234"
    assert worst(["pass", "unknown", "warn"]) == "warn" and worst(["fail", "error"]) == "error"
    assert worst([]) == "pass"
    assert CheckResult.not_configured("x").summary == "not configured"


def test_mask_url_hides_passwords_only() -> None:
    text = "postgresql://app:s3cr3t@db:5432/prod redis://:pw@r:6379/0 https://x.com/a@b"
    masked = mask_url(text)
    assert "s3cr3t" not in masked and ":pw@" not in masked
    assert "postgresql://app:***@db:5432/prod" in masked and "https://x.com/a@b" in masked


TOP = """top - 12:00:01 up 12 days,  1:02,  1 user,  load average: 0.82, 0.91, 0.88
Tasks: 142 total,   1 running, 141 sleeping,   0 stopped,   0 zombie
%Cpu(s): 31.0 us,  3.8 sy,  0.0 ni, 64.8 id,  0.3 wa,  0.0 hi,  0.1 si,  0.0 st
MiB Mem :   7962.0 total,   1114.0 free,   2867.0 used,   3981.0 buff/cache
"""
OLD_TOP = "Cpu(s):  5.9%us,  2.0%sy,  0.0%ni, 91.2%id,  0.5%wa,  0.0%hi,  0.4%si,  0.0%st\n"
FREE = """               total        used        free      shared  buff/cache   available
Mem:            7962        2867        1114         145        3981        4950
Swap:           2047           0        2047
"""
OLD_FREE = """             total       used       free     shared    buffers     cached
Mem:          7962       5000       2962          0        100       1000
"""
DF = """Filesystem     1024-blocks      Used Available Capacity Mounted on
/dev/sda1         41152812  20490096  18532660      53% /
"""
COMPOSE_V1 = """     Name                   Command               State           Ports
-------------------------------------------------------------------------------
omniops_app_1     docker-entrypoint.sh npm start   Up (healthy)   0.0.0.0:3000->3000/tcp
omniops_redis_1   docker-entrypoint.sh redis ...   Up             6379/tcp
omniops_worker_1  docker-entrypoint.sh npm r ...   Exit 137
"""
COMPOSE_V2 = """NAME            IMAGE     SERVICE   STATUS                   PORTS
omniops-app-1   omniops   app       Up 2 hours (unhealthy)   0.0.0.0:3000->3000/tcp
omniops-redis-1 redis:7   redis     Up 2 hours               6379/tcp
"""
PM2 = """┌────┬──────────────┬──────────┬─────────┬───────────┐
│ id │ name         │ mode     │ ↺       │ status    │
├────┼──────────────┼──────────┼─────────┼───────────┤
│ 0  │ omniops-app  │ cluster  │ 0       │ online    │
│ 1  │ omniops-app  │ cluster  │ 15      │ errored   │
└────┴──────────────┴──────────┴─────────┴───────────┘
"""


def test_parsers_read_the_standard_outputs() -> None:
    assert parse_top_cpu(TOP) == 35.2
    assert parse_top_cpu(OLD_TOP) == 8.8
    assert parse_top_cpu("no cpu line") is None
    assert parse_loadavg("0.82 0.91 0.88 2/311 49190\n") == (0.82, 0.91, 0.88)
    assert parse_loadavg(" 12:00:00 up 12 days,  1 user,  load average: 1.50, 1.20, 0.90") == (1.5, 1.2, 0.9)
    assert parse_free(FREE) == {
        "total": 7962,
        "used": 2867,
        "free": 1114,
        "shared": 145,
        "buff/cache": 3981,
        "available": 4950,
    }
    assert parse_free(OLD_FREE)["used"] == 5000 and "available" not in parse_free(OLD_FREE)
    assert parse_df(DF)["percent"] == 53 and parse_df(DF)["mount"] == "/"
    assert parse_compose_ps(COMPOSE_V1) == [
        ("omniops_app_1", "Up (healthy)"),
        ("omniops_redis_1", "Up"),
        ("omniops_worker_1", "Exit 137"),
    ]
    assert parse_compose_ps(COMPOSE_V2) == [
        ("omniops-app-1", "Up 2 hours (unhealthy)"),
        ("omniops-redis-1", "Up 2 hours"),
    ]
    assert parse_pm2(PM2) == [("omniops-app", "online"), ("omniops-app", "errored")]


def test_checks_package_imports_no_client_library_and_no_textual() -> None:
    """Start-up time: the engine, bindings and runner load none of the heavy clients."""
    code = (
        "import sys, json\n"
        "import omniops_tui.probes, omniops_tui.live.report\n"
        "from omniops_tui.probes import specs_for_runbook\n"
        "specs_for_runbook('standard-release')\n"
        "heavy = ('httpx', 'asyncpg', 'boto3', 'botocore', 'asyncssh', 'redis', 'textual')\n"
        "loaded = [m for m, module in sys.modules.items() if module is not None]  # httpx._main: a block\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in loaded if m.split('.')[0] in heavy})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == []
