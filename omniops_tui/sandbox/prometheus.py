"""A throwaway Prometheus server scraping the sandbox: for the tests, the fleet bench and the demo.

`PrometheusServer` runs the real `prometheus` binary (Debian package `prometheus`) on a free
loopback port with its own data folder and a scrape config for the sandbox (the app's
`/metrics` and the one endpoint serving every host's node series, every second by default).
The targets live in file_sd files, so the same server can follow a new sandbox (`watch()`)
without a restart. `history` (OpenMetrics text, see exposition.history_openmetrics) is turned
into TSDB blocks with `promtool` before the server starts: a Prometheus that "has been
scraping" for the last 30 minutes, without waiting 30 minutes. `stop()` ends the process and
removes the folder; it is also registered with atexit, so nothing is left behind. And when
the process that started it dies without running atexit (SIGKILL, a test run killed by its
timeout), a watchdog shell ends the server too: see `_WATCHDOG`.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

from omniops_tui.sandbox.exposition import APP_INSTANCE, APP_JOB, NODE_JOB

if TYPE_CHECKING:
    from omniops_tui.sandbox.production import Sandbox

PACKAGE = "prometheus"
READY_TIMEOUT_S = 60.0


# The server runs under this `sh -c`: it starts "$@" and waits for it, while a subshell blocks
# reading a pipe whose other end only our process holds. When our process dies however it
# dies, the kernel closes that end, the read returns and the server is killed. Before this, a
# Prometheus left by a killed test run went on at 60 % of a core for an hour. The shell passes
# our SIGTERM on, and exits when the server exits (so `poll()` still sees a failed start).
_WATCHDOG = r"""exec 3<&0
"$@" </dev/null & child=$!
(read _ignored <&3; kill "$child" 2>/dev/null) & reader=$!
exec 3<&-
trap 'kill "$child" 2>/dev/null' TERM INT HUP
wait "$child"
while kill -0 "$child" 2>/dev/null; do wait "$child"; done
kill "$reader" 2>/dev/null
"""


class PrometheusUnavailable(RuntimeError):
    """No `prometheus` binary here (or it did not start): the message says what to install."""


def find_binaries() -> tuple[str, str] | None:
    """(prometheus, promtool) when both are installed."""
    server, tool = shutil.which("prometheus"), shutil.which("promtool")
    return (server, tool) if server and tool else None


def install_prometheus() -> str:
    """Install the Debian package when missing and we are root with apt-get; "" or why not.

    Its own daemon must not keep running on :9090 (we start ours on a free port): the
    package's service is stopped right after the install when the init system started it.
    """
    if find_binaries():
        return ""
    apt = shutil.which("apt-get")
    if os.geteuid() != 0 or not apt:
        return f"no `prometheus` binary: install the Debian package `{PACKAGE}` (apt-get install {PACKAGE})"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Several test processes (pytest-xdist) may get here at once: wait for apt's lock.
    wait_for_lock = ["-o", "DPkg::Lock::Timeout=600"]
    command = [apt, *wait_for_lock, "install", "-y", "-q", "--no-install-recommends", PACKAGE]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:  # a stale package list: update once, then try again
        subprocess.run([apt, *wait_for_lock, "update", "-q"], env=env, capture_output=True, timeout=600)
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    _stop_package_service()
    if done.returncode != 0 or not find_binaries():
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return f"`apt-get install {PACKAGE}` failed: {tail[0]}"
    return ""


def _stop_package_service() -> None:
    """The package may start its daemon on :9090 (systemd, or sysvinit without policy-rc.d)."""
    for command in (["systemctl", "disable", "--now", PACKAGE], ["service", PACKAGE, "stop"]):
        if shutil.which(command[0]):
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                subprocess.run(command, capture_output=True, timeout=60)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, timeout: float = 2.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return bytes(response.read())


class PrometheusServer:
    """One `prometheus` process scraping one sandbox; `url` is its HTTP API."""

    def __init__(
        self,
        *,
        app_target: str = "",
        node_target: str = "",
        scrape_interval: float = 1.0,
        history: str = "",
        retention: str = "2d",
        basic_auth: tuple[str, str] | None = None,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.scrape_interval = scrape_interval
        self.basic_auth = basic_auth  # (user, bcrypt hash): the server then refuses anyone else
        self.history = history
        self.retention = retention
        self.extra_args = extra_args
        self.port = 0
        self.folder: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._targets = (app_target, node_target)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> PrometheusServer:
        binaries = find_binaries()
        if binaries is None:
            raise PrometheusUnavailable(
                f"no `prometheus` binary: install the Debian package `{PACKAGE}` (apt-get install {PACKAGE})"
            )
        server, promtool = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="omniops-prometheus-"))
        atexit.register(self.stop)
        data = self.folder / "data"
        data.mkdir()
        self.watch(*self._targets)
        if self.history:
            self._backfill(promtool, data)
        (self.folder / "prometheus.yml").write_text(self._config(), encoding="utf-8")
        web: tuple[str, ...] = ()
        if self.basic_auth:
            user, hashed = self.basic_auth
            (self.folder / "web.yml").write_text(
                f"basic_auth_users:\n  {user}: '{hashed}'\n", encoding="utf-8"
            )
            web = (f"--web.config.file={self.folder / 'web.yml'}",)
        self.port = free_port()
        log = open(self.folder / "prometheus.log", "wb")  # noqa: SIM115 (the process holds it)
        self.process = subprocess.Popen(
            [
                "/bin/sh",
                "-c",
                _WATCHDOG,
                "sh",
                server,
                f"--config.file={self.folder / 'prometheus.yml'}",
                f"--storage.tsdb.path={data}",
                f"--storage.tsdb.retention.time={self.retention}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--log.level=warn",
                *web,
                *self.extra_args,
            ],
            stdin=subprocess.PIPE,  # the watchdog's lifeline: never written, closed when we die
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a ctrl+c in the terminal is ours to handle, not its
        )
        log.close()
        self._wait_ready()
        return self

    def _backfill(self, promtool: str, data: Path) -> None:
        assert self.folder is not None
        source = self.folder / "history.om"
        source.write_text(self.history, encoding="utf-8")
        done = subprocess.run(
            [promtool, "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        source.unlink()
        if done.returncode != 0:
            self.stop()
            raise PrometheusUnavailable(f"promtool could not write the history: {done.stderr.strip()[-300:]}")

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            if self.process is None or self.process.poll() is not None:
                self.stop(keep_log=True)
                raise PrometheusUnavailable(f"prometheus exited at start: {self.log_tail()}")
            try:
                if _get(f"{self.url}/-/ready", 1.0):
                    return
            except urllib.error.HTTPError as exc:
                if exc.code == 401:  # up, and asking for the credentials it was given
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop(keep_log=True)
                raise PrometheusUnavailable(
                    f"prometheus not ready after {READY_TIMEOUT_S:g} s: {self.log_tail()}"
                )
            time.sleep(0.1)

    def log_tail(self) -> str:
        log = self.folder / "prometheus.log" if self.folder else None
        if log is None or not log.exists():
            return "no log"
        lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        return " | ".join(lines[-3:]) or "empty log"

    def stop(self, keep_log: bool = False) -> None:
        """End the process (SIGTERM, then SIGKILL) and remove the folder; idempotent."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):  # its own group: shell and server
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(15)
        if process is not None and process.stdin is not None:
            process.stdin.close()
        if self.folder is not None and not keep_log:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self) -> PrometheusServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ targets
    def watch(self, app_target: str, node_target: str) -> None:
        """Scrape this sandbox from now on (`host:port` of its HTTP app and node endpoint).

        Written atomically to the file_sd files, which Prometheus re-reads as they change.
        """
        assert self.folder is not None
        self._targets = (app_target, node_target)
        groups = {
            "app.json": [{"targets": [app_target], "labels": {"instance": APP_INSTANCE}}]
            if app_target
            else [],
            "node.json": [{"targets": [node_target]}] if node_target else [],
        }
        for name, content in groups.items():
            staged = self.folder / f".{name}.tmp"
            staged.write_text(json.dumps(content), encoding="utf-8")
            os.replace(staged, self.folder / name)

    def _config(self) -> str:
        assert self.folder is not None
        interval = f"{self.scrape_interval:g}s"
        return (
            "global:\n"
            f"  scrape_interval: {interval}\n"
            f"  scrape_timeout: {interval}\n"
            "scrape_configs:\n"
            f"  - job_name: {APP_JOB}\n"
            "    file_sd_configs:\n"
            f"      - files: ['{self.folder / 'app.json'}']\n"
            "        refresh_interval: 1s\n"
            f"  - job_name: {NODE_JOB}\n"
            "    honor_labels: true  # one target serves every host, each series names its instance\n"
            "    file_sd_configs:\n"
            f"      - files: ['{self.folder / 'node.json'}']\n"
            "        refresh_interval: 1s\n"
        )

    # ------------------------------------------------------------------ for tests and the demo
    def query(self, expr: str) -> list[dict[str, object]]:
        """An instant query, synchronously (test set-up: "is the target scraped yet?")."""
        from urllib.parse import quote

        body = json.loads(_get(f"{self.url}/api/v1/query?query={quote(expr)}", 5.0))
        return list(body.get("data", {}).get("result", []))

    def wait_for(self, expr: str, timeout: float = 30.0) -> list[dict[str, object]]:
        """Poll until `expr` answers at least one series (the scrapes have landed)."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError, ValueError):
                found = self.query(expr)
                if found:
                    return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"prometheus at {self.url} has no series for {expr} after {timeout:g} s")
            time.sleep(0.2)


# ------------------------------------------------------------------ the demo's Prometheus
def start_for_sandbox(
    sandbox: Sandbox, *, history_minutes: float = 30.0, scrape_interval: float = 2.0, step: float = 5.0
) -> tuple[PrometheusServer | None, str]:
    """A Prometheus scraping a started sandbox, with the sandbox's last `history_minutes`
    already in it; (server, "") or (None, why not). Stop the server with `server.stop()`.

    The sandbox's counters are made to start `history_minutes` ago (its first scenario is
    backdated), so the history written by promtool and the live scrapes are one continuous
    series: sparklines are full at once, and a sandbox left in a bad scenario for ten minutes
    before the TUI opens has the rollback criteria fire as it opens. Use a rate() window of at
    least three history steps (15 s with the default `step`), so it spans the junction too.
    """
    from omniops_tui.sandbox.exposition import history_openmetrics

    if find_binaries() is None:
        return (
            None,
            f"Prometheus: not installed (the Debian package `{PACKAGE}`): figures come from the probes",
        )
    now = time.time()
    first_time, first_scenario = sandbox.state.switches[0]
    origin = min(first_time, now - history_minutes * 60)
    sandbox.state.switches[0] = (origin, first_scenario)
    names = [host.name for host in sandbox.hosts]
    history = ""
    if history_minutes > 0:
        history = history_openmetrics(list(sandbox.state.switches), names, origin, now, step, sandbox.version)
    server = PrometheusServer(
        app_target=sandbox.app_metrics_target,
        node_target=sandbox.node_metrics_target,
        scrape_interval=scrape_interval,
        history=history,
    )
    try:
        server.start()
    except PrometheusUnavailable as exc:
        return None, f"Prometheus: {exc}"
    return server, f"Prometheus at {server.url} scraping the sandbox every {scrape_interval:g} s"
