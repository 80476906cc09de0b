"""`omniops-tui sandbox` and `omniops-tui demo`: the simulated production, alone or with the TUI.

Kept out of cli.py (which adds them) because they are about the sandbox, not about runbooks or
sessions: their options describe the fake production. The sandbox and the App are imported
inside the bodies, so other commands never load them.
"""

from __future__ import annotations

from pathlib import Path

import click

from omniops_tui.options import Options

PathArg = click.Path(path_type=Path)


def _known_scenario(ctx: click.Context, param: click.Parameter, scenario: str) -> str:
    """A usage error (exit 2) naming the choices, before anything starts, for an unknown name."""
    from omniops_tui.sandbox.scenarios import SCENARIOS

    if scenario not in SCENARIOS:
        raise click.BadParameter(f"unknown scenario '{scenario}' (choose from {', '.join(SCENARIOS)})")
    return scenario


_scenario_option = click.option(
    "--scenario",
    default="healthy",
    show_default=True,
    callback=_known_scenario,
    help="healthy, error-spike, slow, db-down, outage, disk-full or hostile.",
)


@click.command("sandbox")
@_scenario_option
@click.option(
    "--hosts",
    type=click.IntRange(1, 500),
    default=1,
    show_default=True,
    help="How many SSH hosts to simulate (prod-1 … prod-N).",
)
@click.option(
    "--config-out",
    type=PathArg,
    default=None,
    help="Where to write a config for it (default: inside its temporary folder).",
)
@click.option(
    "--answer-delay-ms",
    type=click.IntRange(0, 1000),
    default=0,
    show_default=True,
    help="Delay every HTTP answer and SSH command's answer this long, as a network between would.",
)
def sandbox_command(scenario: str, hosts: int, config_out: Path | None, answer_delay_ms: int) -> None:
    """Run the sandbox production (HTTP app, SSH hosts, live logs) until ctrl+c.

    Prints the config path to use with --config; type a scenario name and Enter to switch.
    """
    from omniops_tui.sandbox.foreground import run_foreground

    run_foreground(scenario=scenario, hosts=hosts, config_out=config_out, answer_delay_ms=answer_delay_ms)


@click.command("demo")
@click.option(
    "--database-url",
    default=None,
    help="A PostgreSQL server for the demo database (default postgresql://postgres@127.0.0.1:5432/postgres).",
)
@click.option(
    "--redis-url", default=None, help="A Redis server for cache traffic (default redis://127.0.0.1:6379/0)."
)
@click.option(
    "--hosts",
    type=click.IntRange(1, 100),
    default=2,
    show_default=True,
    help="How many SSH hosts the sandbox production has.",
)
@_scenario_option
@click.option("--no-s3", is_flag=True, help="Do not start a local S3 endpoint even when moto is installed.")
@click.option(
    "--no-prometheus",
    is_flag=True,
    help="Measure with the probes only, even when the `prometheus` binary is installed.",
)
@click.option("--tour/--no-tour", default=None, help="Show the first-run tour (default: on the first demo).")
@click.pass_obj
def demo_command(
    options: Options,
    database_url: str | None,
    redis_url: str | None,
    hosts: int,
    scenario: str,
    no_s3: bool,
    no_prometheus: bool,
    tour: bool | None,
) -> None:
    """Every feature in one command: a simulated production on loopback and the TUI wired to it.

    Uses PostgreSQL and Redis when they are reachable, and a throwaway Prometheus scraping the
    sandbox when `prometheus` is installed (it says so on screen when not); cleans up its ports
    and temporary files on exit.
    """
    from omniops_tui.ui.demo_runner import run_demo

    run_demo(
        options,
        database_url=database_url,
        redis_url=redis_url,
        hosts=hosts,
        scenario=scenario,
        with_s3=not no_s3,
        with_prometheus=not no_prometheus,
        tour=tour,
    )
