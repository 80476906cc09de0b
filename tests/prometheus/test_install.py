"""Where the tests' Prometheus comes from: installed when missing (root with apt-get), otherwise
a failure that names the package to install. Never a skip."""

from __future__ import annotations

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
