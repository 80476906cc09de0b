"""What the logs screen writes: each pane's one-line status and the "nothing configured" help.

Pure functions of the session's log projection, kept apart from the screen so the screen is
only layout, keys and the draw tick. Source names, reasons and patterns are data: they go into
`Text` as plain strings, never as markup.
"""

from __future__ import annotations

import math

from rich.text import Text

from omniops_tui.sessions.projections.logs import SourceLog
from omniops_tui.ui.context import ScreenContext
from omniops_tui.ui.widgets.log_pane import LogPane

NOT_CONFIGURED = """\
The log panes stream the logs of the environment's SSH hosts. Add them to the config ({where}), \
one table per host:

  [[env.production.hosts]]
  name = "production"  # as in ~/.ssh/config
  logs = ["/var/log/omniops/error.log"]
  log_commands = ["pm2 logs --lines 100"]

Each file is streamed with `tail -n 100 -F`, each command as it is. `omniops-tui init` writes a \
starter config; `omniops-tui demo` shows the panes against a sandbox production.

Press escape to go back."""


def not_configured_text(ctx: ScreenContext) -> Text:
    """What to do, not an error: where the config is and what a host table looks like."""
    if ctx.replay is not None:
        return Text.assemble(
            ("No log lines were recorded in this session (yet).", "bold"), "\n\nPress escape to go back."
        )
    config = ctx.config
    where = (
        str(config.path)
        if config is not None and config.path
        else "`omniops-tui config` shows where it is read from"
    )
    environment = ctx.environment
    headline = "No log sources configured."
    if environment is not None and environment.hosts:
        names = ", ".join(h.name for h in environment.hosts)
        headline = (
            f"No log sources configured: the hosts of env.{environment.name} ({names}) "
            "have no `logs` or `log_commands`."
        )
    elif environment is not None:
        headline = f"No log sources configured: env.{environment.name} has no hosts."
    return Text.assemble((headline, "bold"), "\n\n", NOT_CONFIGURED.format(where=where))


def status_text(
    pane: LogPane, sources: dict[str, SourceLog], now: float, *, replay: bool, capped: bool
) -> Text:
    """Connection · follow · filter · received / dropped / lag · recording, on one line."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append_text(connection_text(pane, sources, now, replay=replay))
    if pane.following:
        text.append("  ▶ following", style="green")
    else:
        text.append(f"  ⏸ paused · {pane.new_while_paused:,} new", style="bold yellow")
        text.append(" (f follows)", style="dim")
    if pane.filter_pattern is not None:
        text.append(
            f"  filter /{pane.filter_pattern.pattern}/ · {pane.filter_matches:,} matches",
            style="bold cyan",
        )
    if pane.search_pattern is not None:
        text.append(f"  search /{pane.search_pattern.pattern}/", style="cyan")
    buffer = pane.buffer
    lag = buffer.lag()
    lag_text = f"{lag * 1000:.0f} ms" if lag < 1 else f"{lag:.1f} s"
    pending = f" ({buffer.pending:,} pending)" if buffer.pending else ""
    text.append(
        f"  received {buffer.received:,} · dropped {buffer.dropped:,} · lag {lag_text}{pending}",
        style="dim" if not buffer.dropped else "",
    )
    if capped:
        text.append("  ⏺ recording ERROR lines only (log cap reached)", style="bold magenta")
    return text


def connection_text(pane: LogPane, logs: dict[str, SourceLog], now: float, *, replay: bool) -> Text:
    """One source's state, or how many of the merged view's sources stream (and the first down)."""
    sources = [logs[sid] for sid in pane.source_ids if sid in logs]
    prefix = Text("▷ replay  ", style="bold magenta") if replay else Text()
    if len(sources) == 1:
        return prefix + state_text(sources[0], now)
    streaming = sum(1 for s in sources if s.status == "streaming")
    text = prefix + Text(
        f"● {streaming}/{len(sources)} streaming",
        style="green" if streaming == len(sources) else "yellow",
    )
    down = [s for s in sources if s.status == "disconnected"]
    if down:
        text.append(f"  ⚡ {down[0].source_id}: {down[0].reason}", style="bold red")
    return text


def state_text(source: SourceLog, now: float) -> Text:
    if source.status == "streaming":
        return Text("● streaming", style="green")
    if source.status == "disconnected":
        wait = math.ceil(max(0.0, source.retry_at - now))
        when = f"reconnecting in {wait}s" if wait > 0 else "reconnecting…"
        return Text(f"⚡ disconnected: {source.reason} — {when}", style="bold red")
    if source.status == "stopped":
        return Text("■ stopped", style="dim")
    return Text("◌ connecting…", style="yellow")
