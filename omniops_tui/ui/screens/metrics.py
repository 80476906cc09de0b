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
from textual.widgets import DataTable, Footer, Static

from omniops_tui.core.text import visible_line
from omniops_tui.logic.criteria import do_not_rollback_hint, evaluate_history
from omniops_tui.logic.history import MetricHistory
from omniops_tui.logic.metrics import BY_NAME, CATALOGUE
from omniops_tui.ui.context import SessionScreen
from omniops_tui.ui.literal import literal
from omniops_tui.ui.messages import SessionUpdated
from omniops_tui.ui.widgets.figures import sparkline, value_text
from omniops_tui.ui.widgets.status_bar import StatusBar

HOST_METRICS = ("cpu_percent", "mem_percent", "disk_percent", "load_per_cpu")
SERVICE_FIGURES = tuple(m for m in CATALOGUE if not m.per_host)
METRIC_KINDS = ("metric_sample", "criterion_fired", "criterion_cleared")
HOST_LABELS = {
    "cpu_percent": "CPU",
    "mem_percent": "Memory",
    "disk_percent": "Disk /",
    "load_per_cpu": "Load/CPU",
}


class MetricsScreen(SessionScreen):
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
        yield StatusBar(self.ctx, "Metrics")
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
        for definition in SERVICE_FIGURES:
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
        for criterion in self.session.basis.criteria:
            criteria.add_row(
                literal(criterion.metric),
                literal(criterion.threshold),
                literal(criterion.action),
                "",
                key=criterion.id,
                height=None,
            )
        self.refresh_tables()

    def on_screen_resume(self) -> None:
        if self.ctx.engine is not None:
            self.ctx.engine.screen_opened("metrics")
        self.refresh_tables()

    def session_changed(self, message: SessionUpdated) -> None:
        """Samples arrive in bursts (a round at a time); the messages coalesce into one."""
        if message.touches(*METRIC_KINDS):
            self.refresh_tables()

    def refresh_tables(self) -> None:
        facts = self.session.state.metrics
        with self.app.batch_update():
            self._refresh_service(facts)
            self._refresh_hosts(facts)
            self._refresh_criteria(facts)
        self._refresh_summary(facts)

    def _refresh_summary(self, facts: MetricHistory) -> None:
        summary = self.query_one("#metrics-summary", Static)
        if not facts.series:
            if self.ctx.replay is None and self.ctx.environment is None:
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
        ago = max(0, int(self.session.offset() - latest))
        interval = self.session.basis.interval
        every = f"Sampled every {interval:g} s · " if interval else ""
        summary.update(
            Text(
                f"{every}last sample {ago}s ago · green/amber/red by the runbooks' thresholds",
                style="dim",
            )
        )

    def _refresh_service(self, facts: MetricHistory) -> None:
        table = self.query_one("#service-table", DataTable)
        for definition in SERVICE_FIGURES:
            point = facts.latest(definition.name)
            _set(table, definition.name, "value", value_text(definition, point))
            _set(table, definition.name, "trend", sparkline(facts.values(definition.name)))

    def _refresh_hosts(self, facts: MetricHistory) -> None:
        table = self.query_one("#host-table", DataTable)
        for host in facts.hosts("cpu_percent"):
            if host not in table.rows:
                table.add_row(literal(host), *["—"] * len(HOST_METRICS), "", key=host)
            for name in HOST_METRICS:
                _set(table, host, name, value_text(BY_NAME[name], facts.latest(name, host)))
            _set(table, host, "trend", sparkline(facts.values("cpu_percent", host)))

    def _refresh_criteria(self, facts: MetricHistory) -> None:
        table = self.query_one("#criteria-table", DataTable)
        criteria = self.session.basis.criteria
        fired = self.session.state.criteria.firing
        states = evaluate_history(criteria, facts, self.session.offset())
        for criterion in criteria:
            state = states.get(criterion.id)
            if criterion.manual:
                now = Text("your judgement: not measurable", style="dim")
            elif criterion.id in fired:
                evidence = (
                    state.evidence if state is not None and state.evidence else fired[criterion.id].evidence
                )
                now = Text(f"FIRED: {visible_line(evidence)}", style="bold red")
            elif state is not None and state.status != "no data":
                style = {"breaching": "yellow", "ok": "green", "fired": "yellow"}.get(state.status, "dim")
                status = "breaching" if state.status == "fired" else state.status
                now = Text(f"{status}: {state.evidence}" if state.evidence else status, style=style)
            else:
                now = Text("no data", style="dim")
            _set(table, criterion.id, "now", now)
        self._refresh_do_not(facts)

    def _refresh_do_not(self, facts: MetricHistory) -> None:
        runbook = self.session.basis.runbooks.get("emergency-rollback")
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
            return self.ctx.engine is not None and self.ctx.engine.live_checks_available
        return True

    def action_sample_now(self) -> None:
        if self.ctx.engine is not None and self.ctx.engine.sample_now():
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
