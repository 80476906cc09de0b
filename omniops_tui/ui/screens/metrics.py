"""Metrics: the figures the runbooks set thresholds on, coloured by those thresholds, with a
sparkline of recent samples; one row per host for the fleet; Emergency Rollback's criteria
evaluated on the history, with the DO NOT ROLLBACK list beside them.

Everything is read from the session state (the `metric_sample` fold), so the same screen
shows a live session and a replayed one. Rows are keyed and updated in place.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from omniops_tui.core.events import Event
from omniops_tui.logic.criteria import do_not_rollback_hint
from omniops_tui.logic.metrics import BY_NAME, CATALOGUE, MetricDef, format_value
from omniops_tui.sessions.projections.criteria import firing
from omniops_tui.sessions.projections.metrics import MetricHistory, Point, history
from omniops_tui.ui.widgets.status_bar import StatusBar

STATUS_STYLES = {"pass": "green", "warn": "yellow", "fail": "bold red", "error": "red", "unknown": "dim"}
SPARKS = "▁▂▃▄▅▆▇█"
HOST_METRICS = ("cpu_percent", "mem_percent", "disk_percent", "load_per_cpu")
SERVICE_METRICS = tuple(m for m in CATALOGUE if not m.per_host)
REFRESH_S = 0.25
HOST_LABELS = {
    "cpu_percent": "CPU",
    "mem_percent": "Memory",
    "disk_percent": "Disk /",
    "load_per_cpu": "Load/CPU",
}


def sparkline(values: list[float], width: int = 12) -> str:
    values = values[-width:]
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return "".join(SPARKS[min(7, int((v - low) / span * 7.999))] for v in values)


def value_text(definition: MetricDef, point: Point | None) -> Text:
    if point is None:
        return Text("—", style="dim")
    if point.value is None:
        label = (
            "not configured"
            if "not configured" in point.detail
            else ("unreachable" if point.detail.startswith("unreachable") else "unknown")
        )
        return Text(label, style=STATUS_STYLES.get(point.status, "dim"))
    mark = {"pass": "● ", "warn": "▲ ", "fail": "✖ ", "error": "✖ "}.get(point.status, "")
    return Text(mark + format_value(definition, point.value), style=STATUS_STYLES.get(point.status, ""))


class MetricsScreen(Screen[None]):
    CSS_PATH = "metrics.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="metrics.back"),
        Binding(
            "r",
            "sample_now",
            "Sample now",
            id="metrics.sample",
            tooltip="Take a sample of every figure now instead of waiting for the interval",
        ),
    ]

    def compose(self) -> ComposeResult:
        yield StatusBar("Metrics")
        with VerticalScroll(id="metrics-body"):
            yield Static(id="metrics-summary")
            yield DataTable(id="service-table", cursor_type="row", zebra_stripes=True)
            yield Static("Hosts", classes="table-title")
            yield DataTable(id="host-table", cursor_type="row", zebra_stripes=True)
            yield Static("Emergency Rollback: decision criteria", classes="table-title")
            yield DataTable(id="criteria-table", cursor_type="row")
            yield Static(id="do-not-rollback")
        yield Footer()

    def on_mount(self) -> None:
        service = self.query_one("#service-table", DataTable)
        service.add_column("Figure", key="label", width=21)
        service.add_column("Now", key="value", width=16)
        service.add_column("Trend", key="trend", width=12)
        service.add_column("Target", key="target", width=10)
        for definition in SERVICE_METRICS:
            service.add_row(
                definition.label,
                Text("—", style="dim"),
                "",
                Text(definition.threshold_text(), style="dim"),
                key=definition.name,
            )
        hosts = self.query_one("#host-table", DataTable)
        hosts.add_column("Host", key="host", width=12)
        for name in HOST_METRICS:
            hosts.add_column(HOST_LABELS[name], key=name, width=10)
        hosts.add_column("CPU trend", key="trend", width=10)
        criteria = self.query_one("#criteria-table", DataTable)
        for label, key, width in (
            ("Metric", "metric", 12),
            ("Threshold", "threshold", 13),
            ("Action", "action", 12),
            ("Now", "now", 26),
        ):
            criteria.add_column(label, key=key, width=width)
        for criterion in self.app.context.criteria:
            criteria.add_row(
                criterion.metric, criterion.threshold, criterion.action, "", key=criterion.id, height=None
            )
        self._pending = False
        self.app.session_changed.subscribe(self, self._on_event)
        self.refresh_tables()
        self.set_interval(5, self.refresh_tables)

    def on_screen_resume(self) -> None:
        self.app.screen_opened("metrics")
        self.refresh_tables()

    def _on_event(self, event: Event | None) -> None:
        """Samples arrive in bursts (a round at a time): coalesce them into one refresh."""
        if event is not None and event.type not in ("metric_sample", "criterion_fired", "criterion_cleared"):
            return
        if not self._pending:
            self._pending = True
            self.set_timer(REFRESH_S, self._flush)

    def _flush(self) -> None:
        self._pending = False
        self.refresh_tables()

    def refresh_tables(self) -> None:
        facts = history(self.app.state)
        with self.app.batch_update():
            self._refresh_service(facts)
            self._refresh_hosts(facts)
            self._refresh_criteria(facts)
        self._refresh_summary(facts)

    def _refresh_summary(self, facts: MetricHistory) -> None:
        summary = self.query_one("#metrics-summary", Static)
        if not facts.series:
            if self.app.context.environment is None:
                summary.update(
                    Text(
                        "No environment configured, so nothing to measure. Create a config "
                        "with `omniops-tui init` (or try `omniops-tui demo`).",
                        style="yellow",
                    )
                )
            else:
                summary.update(Text("Waiting for the first samples…", style="dim"))
            return
        latest = max((points[-1].t for points in facts.series.values() if points), default=0.0)
        ago = max(0, int(self.app.session_offset() - latest)) if self.app.recording else 0
        interval = self.app.context.config.interval(self.app.context.environment)
        summary.update(
            Text(
                f"Sampled every {interval:g} s · last sample {ago}s ago · "
                "green/amber/red by the runbooks' thresholds",
                style="dim",
            )
        )

    def _refresh_service(self, facts: MetricHistory) -> None:
        table = self.query_one("#service-table", DataTable)
        for definition in SERVICE_METRICS:
            point = facts.latest(definition.name)
            _set(table, definition.name, "value", value_text(definition, point))
            _set(table, definition.name, "trend", sparkline(facts.values(definition.name)))

    def _refresh_hosts(self, facts: MetricHistory) -> None:
        table = self.query_one("#host-table", DataTable)
        for host in facts.hosts("cpu_percent"):
            if host not in table.rows:
                table.add_row(host, *["—"] * len(HOST_METRICS), "", key=host)
            for name in HOST_METRICS:
                _set(table, host, name, value_text(BY_NAME[name], facts.latest(name, host)))
            _set(table, host, "trend", sparkline(facts.values("cpu_percent", host)))

    def _refresh_criteria(self, facts: MetricHistory) -> None:
        table = self.query_one("#criteria-table", DataTable)
        fired = firing(self.app.state).firing
        evaluator = getattr(self.app, "evaluator", None)
        for criterion in self.app.context.criteria:
            if criterion.manual:
                now = Text("your judgement: not measurable", style="dim")
            elif criterion.id in fired:
                now = Text(f"FIRED: {fired[criterion.id].evidence}", style="bold red")
            elif evaluator is not None and criterion.id in evaluator.states:
                state = evaluator.states[criterion.id]
                style = {"breaching": "yellow", "ok": "green"}.get(state.status, "dim")
                now = Text(
                    f"{state.status}: {state.evidence}" if state.evidence else state.status, style=style
                )
            else:
                now = Text("no data", style="dim")
            _set(table, criterion.id, "now", now)
        self._refresh_do_not(facts)

    def _refresh_do_not(self, facts: MetricHistory) -> None:
        runbook = self.app.runbooks.get("emergency-rollback")
        criteria = runbook.decision_criteria if runbook else None
        widget = self.query_one("#do-not-rollback", Static)
        if criteria is None:
            widget.update("")
            return
        text = Text("DO NOT ROLLBACK IF:\n", style="bold")
        for line in criteria.do_not_rollback:
            text.append(f"• {line}")
            hint = do_not_rollback_hint(line, facts)
            if hint is not None:
                text.append(f"  ({hint.text})", style="green" if hint.applies else "dim")
            text.append("\n")
        widget.update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "sample_now":
            return self.app.sampler is not None
        return True

    def action_sample_now(self) -> None:
        if self.app.sampler is not None:
            self.app.sampler.sample_now()
            self.notify("Sampling now", timeout=2)

    def action_back(self) -> None:
        self.app.pop_screen()

    def note_context(self) -> tuple[str, str]:
        return "", "metrics"


def _set(table: DataTable, row: str, column: str, value: object) -> None:
    """update_cell only when the value changed (DataTable re-renders the row otherwise)."""
    current = table.get_cell(row, column)
    if str(current) != str(value) or (
        isinstance(value, Text) and isinstance(current, Text) and value.style != current.style
    ):
        table.update_cell(row, column, value)


class MetricsStrip(Static):
    """One line on runbook screens: the figures that decide most incidents, coloured."""

    DEFAULT_CSS = """
    MetricsStrip {
        height: auto;
        max-height: 2;
        padding: 0 1;
        display: none;
    }
    MetricsStrip.has-data {
        display: block;
    }
    """
    FIGURES = (
        ("p95_ms", "P95"),
        ("error_rate", "err"),
        ("db_connected", "DB"),
        ("redis_hit_rate", "cache"),
        ("health_ok", "health"),
    )

    def on_mount(self) -> None:
        self.app.session_changed.subscribe(self, self._on_event)
        self._pending = False
        self.refresh_strip()

    def _on_event(self, event: Event | None) -> None:
        if (event is None or event.type == "metric_sample") and not self._pending:
            self._pending = True
            self.set_timer(REFRESH_S, self._flush)

    def _flush(self) -> None:
        self._pending = False
        self.refresh_strip()

    def refresh_strip(self) -> None:
        facts = history(self.app.state)
        text = Text()
        for name, label in self.FIGURES:
            point = facts.latest(name)
            if point is None:
                continue
            if text:
                text.append(" · ", style="dim")
            text.append(f"{label} ")
            text.append_text(value_text(BY_NAME[name], point))
        worst = facts.worst("cpu_percent")
        if worst is not None:
            host, point = worst
            text.append(" · ", style="dim")
            text.append("CPU ")
            text.append_text(value_text(BY_NAME["cpu_percent"], point))
            text.append(f" {host}", style="dim")
        self.set_class(bool(text), "has-data")
        self.update(text)
