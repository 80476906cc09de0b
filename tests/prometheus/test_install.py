"""Where the tests' Prometheus comes from: installed when missing (root with apt-get), otherwise
a failure that names the package to install. Never a skip."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from omniops_tui.sandbox.prometheus import PrometheusServer, PrometheusUnavailable, install_prometheus


def test_without_the_binary_or_apt_the_problem_names_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine with neither prometheus nor apt-get
    problem = install_prometheus()
    assert "install the Debian package `prometheus`" in problem
    with pytest.raises(PrometheusUnavailable, match="apt-get install prometheus"):
        PrometheusServer().start()


@pytest.mark.usefixtures("prometheus_binary")
def test_with_the_binary_there_is_nothing_to_install() -> None:
    assert install_prometheus() == ""


_STARTER = """
import sys
from omniops_tui.sandbox.prometheus import PrometheusServer
server = PrometheusServer().start()
print(server.process.pid, flush=True)
sys.stdin.read()  # held until the test kills us
"""


def _server_pids(watchdog_pid: int) -> list[int]:
    """The processes of the watchdog's group (it is a session leader): the shell and the server."""
    found = subprocess.run(["pgrep", "-g", str(watchdog_pid)], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


@pytest.mark.usefixtures("prometheus_binary")
def test_a_killed_owner_takes_its_prometheus_with_it() -> None:
    """SIGKILL runs no atexit: the watchdog ends the server anyway (a leaked one once doubled
    the suite's time)."""
    owner = subprocess.Popen(
        [sys.executable, "-c", _STARTER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert owner.stdout is not None
        watchdog = int(owner.stdout.readline())
        assert _server_pids(watchdog), "the server should be running"
    finally:
        owner.kill()
        owner.wait(10)
    deadline = time.monotonic() + 15
    while _server_pids(watchdog) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _server_pids(watchdog) == []


@pytest.mark.usefixtures("prometheus_binary")
def test_a_server_that_exits_at_start_is_reported() -> None:
    with pytest.raises(PrometheusUnavailable, match="exited at start"):
        PrometheusServer(extra_args=("--no-such-flag",)).start()
