"""Metrics: the figures the runbooks set thresholds on, coloured by those thresholds, with a
sparkline of recent samples and where each came from; the fleet's hosts, worst first and
filterable; Emergency Rollback's criteria evaluated on the history, with the DO NOT ROLLBACK
list beside them.

Everything is read from the session state (the `metric_sample` fold), so the same screen
shows a live session and a replayed one. An engineer must be able to tell a Prometheus figure
from one the tool probed itself (and how old it is) before acting on it: the Source column says
which, and the line under the table gives the highlighted figure's PromQL. The host list draws
only the rows on screen, so 1,000 hosts scroll as fast as 3.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Input, Static

from omniops_tui.core.text import visible_line
from omniops_tui.logic.criteria import do_not_rollback_hint, evaluate_history
from omniops_tui.logic.history import MetricHistory, Point
from omniops_tui.logic.host_table import SORTS, HostTable
from omniops_tui.logic.metrics import BY_NAME, CATALOGUE, MetricDef
from omniops_tui.ui.context import SessionScreen
from omniops_tui.ui.literal import literal
from omniops_tui.ui.messages import EVERYTHING, SessionUpdated
from omniops_tui.ui.widgets.figures import sparkline, value_text
from omniops_tui.ui.widgets.footer import KeyFooter
from omniops_tui.ui.widgets.host_list import HOST_LABELS, HostList, age_text, header_text
from omniops_tui.ui.widgets.status_bar import StatusBar

SERVICE_FIGURES = tuple(m for m in CATALOGUE if not m.per_host)
# Only Prometheus measures these: their rows appear with their first sample, not as a dash
# that never fills for a team without Prometheus.
WHEN_MEASURED = frozenset({"request_rate"})
METRIC_KINDS = ("metric_sample", "metric_history", "criterion_fired", "criterion_cleared")
PROBLEMS = frozenset({"fail", "warn", "error", "unknown"})
SORT_NAMES = {"worst": "worst first", "name": "by name"} | {
    name: f"{HOST_LABELS[name]} highest first" for name in SORTS[2:]
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
        Binding(
            "slash",
            "filter_hosts",
            "Filter hosts",
            id="metrics.filter",
            tooltip="Show only the hosts whose name contains what you type (escape clears it)",
        ),
        Binding(
            "o",
            "sort_hosts",
            "Order",
            id="metrics.sort",
            tooltip="Order the hosts worst first, by name, or by CPU, memory, disk, load",
        ),
        Binding(
            "f",
            "problems_only",
            "Problems only",
            id="metrics.problems",
            tooltip="Show only the hosts with a figure over its threshold or unknown (again: all)",
        ),
    ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.host_sort = "worst"
        self.host_filter = ""
        self.problems_only = False
        self._host_table: HostTable | None = None

    def compose(self) -> ComposeResult:
        yield StatusBar(self.ctx, "Metrics")
        with VerticalScroll(id="metrics-body"):
            yield Static(id="metrics-summary")
            yield DataTable(id="service-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="figure-source")
            yield Static("Hosts", id="hosts-title", classes="table-title")
            yield Input(id="host-filter", classes="hidden", placeholder="host name contains…")
            yield Static(header_text(), id="host-header")
            yield HostList(id="host-list")
            yield Static("Emergency Rollback: decision criteria", classes="table-title")
            yield DataTable(id="criteria-table", cursor_type="row")
            yield Static(id="do-not-rollback")
        yield KeyFooter()

    def on_mount(self) -> None:
        if not self._composed:
            return
        service = self.query_one("#service-table", DataTable)
        service.add_column("Figure", key="label", width=21)
        service.add_column("Now", key="value", width=14)
        service.add_column("Trend", key="trend", width=10)
        service.add_column("Target", key="target", width=9)
        service.add_column("Source", key="source", width=8)
        for definition in SERVICE_FIGURES:
            if definition.name not in WHEN_MEASURED:
                _add_figure(service, definition)
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
        # Kept between openings (navigation.py): all it shows, as the state is now.
        self.on_session_updated(SessionUpdated({EVERYTHING}))

    def session_changed(self, message: SessionUpdated) -> None:
        """Samples arrive in bursts (a round at a time); the messages coalesce into one."""
        if message.touches(*METRIC_KINDS):
            self.refresh_tables()

    @property
    def _composed(self) -> bool:
        """False while the tables are not there: the screen is built while home idles
        (navigation.py `prepare`), so it can mount or hear of a sample as the App leaves and
        takes its children down (seen once under load: NoMatches on the way out)."""
        return bool(self.query("#service-table"))

    def refresh_tables(self) -> None:
        if not self._composed:
            return
        facts = self.session.state.metrics
        with self.app.batch_update():
            self._refresh_service(facts)
            self._refresh_hosts(facts, changed=True)
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
        now = self.session.offset()
        for definition in SERVICE_FIGURES:
            point = facts.latest(definition.name)
            if definition.name not in table.rows:
                if point is None:
                    continue
                _add_figure(table, definition)
            _set(table, definition.name, "value", value_text(definition, point))
            _set(table, definition.name, "trend", sparkline(facts.values(definition.name), width=10))
            source = "" if point is None else f"{_source_name(point.source)} {age_text(now, point.t)}"
            _set(table, definition.name, "source", Text(source, style="dim"))
        self._refresh_figure_source(facts)

    def _refresh_figure_source(self, facts: MetricHistory) -> None:
        """Under the table: the highlighted figure's origin in full (the query, the age)."""
        table = self.query_one("#service-table", DataTable)
        definition = None
        if table.row_count and 0 <= table.cursor_row < table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            definition = BY_NAME.get(key or "")
        widget = self.query_one("#figure-source", Static)
        if definition is None:
            widget.update("")
            return
        widget.update(
            figure_origin(
                definition.label,
                facts.latest(definition.name),
                self._query_of(definition.name, facts),
                self.session.offset(),
            )
        )

    def _query_of(self, metric: str, facts: MetricHistory) -> str:
        """The PromQL a figure is read with: recorded with its history, or the live engine's."""
        if metric in facts.queries:
            return facts.queries[metric]
        engine = self.ctx.engine
        source = getattr(engine.metrics.sampler, "source", None) if engine is not None else None
        for query in getattr(source, "queries", ()):
            if query.metric == metric:
                return str(query.query)
        return ""

    @on(DataTable.RowHighlighted, "#service-table")
    def _figure_highlighted(self) -> None:
        self._refresh_figure_source(self.session.state.metrics)

    def _refresh_hosts(self, facts: MetricHistory, changed: bool = False) -> None:
        """`changed`: new samples, so every row is computed again; a new filter, order or
        view only re-filters and re-sorts the rows already computed (each keystroke)."""
        if changed or self._host_table is None or self._host_table.history is not facts:
            self._host_table = HostTable(facts)
        table = self._host_table
        rows = table.rows(
            sort=self.host_sort,
            filter=self.host_filter,
            statuses=PROBLEMS if self.problems_only else None,
        )
        self.query_one("#host-list", HostList).set_rows(rows, self.session.offset())
        counts = table.counts()
        total = sum(counts.values())
        order = ("fail", "warn", "unknown", "pass")
        verdicts = " · ".join(f"{counts[verdict]} {verdict}" for verdict in order if counts.get(verdict))
        shown = [SORT_NAMES[self.host_sort]]
        if self.host_filter:
            shown.append(f"name contains “{visible_line(self.host_filter)}”")
        if self.problems_only:
            shown.append("problems only")
        title = Text(f"Hosts ({total})", style="bold")
        if total:
            title.append(f"  {verdicts}", style="")
        if len(rows) != total:
            shown.append(f"{len(rows)} shown")
        title.append(f"  · {', '.join(shown)}", "dim")
        self.query_one("#hosts-title", Static).update(title)
        self.query_one("#host-header", Static).display = bool(total)

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
        field = self.query_one("#host-filter", Input)
        if field.has_focus:  # escape in the filter: clear it, back to the list
            self._close_filter(clear=True)
            return
        self.app.pop_screen()

    # ------------------------------------------------------------------ the host list's keys
    def action_filter_hosts(self) -> None:
        field = self.query_one("#host-filter", Input)
        field.remove_class("hidden")
        field.value = self.host_filter
        field.focus()
        # It was not laid out when focused (hidden until now): bring it on screen once it is.
        self.call_after_refresh(field.scroll_visible, animate=False)

    @on(Input.Changed, "#host-filter")
    def _filter_changed(self, message: Input.Changed) -> None:
        self.host_filter = message.value.strip()
        self._refresh_hosts(self.session.state.metrics)

    @on(Input.Submitted, "#host-filter")
    def _filter_submitted(self) -> None:
        self._close_filter(clear=False)

    def _close_filter(self, *, clear: bool) -> None:
        field = self.query_one("#host-filter", Input)
        if clear:
            field.value = ""
            self.host_filter = ""
        field.add_class("hidden")
        self.query_one("#host-list", HostList).focus()
        self._refresh_hosts(self.session.state.metrics)

    def action_sort_hosts(self) -> None:
        self.host_sort = SORTS[(SORTS.index(self.host_sort) + 1) % len(SORTS)]
        self._refresh_hosts(self.session.state.metrics)

    def action_problems_only(self) -> None:
        self.problems_only = not self.problems_only
        self._refresh_hosts(self.session.state.metrics)

    def note_context(self) -> tuple[str, str]:
        return "", "metrics"


def _add_figure(table: DataTable, definition: MetricDef) -> None:
    target = Text(definition.threshold_text(), style="dim")
    table.add_row(definition.label, Text("—", style="dim"), "", target, "", key=definition.name)


def _source_name(source: str) -> str:
    return "prom" if source == "prometheus" else (source or "probe")


def figure_origin(label: str, point: Point | None, query: str, now: float) -> Text:
    """`Error rate: from Prometheus, 4s ago · sum(rate(…))` or `… from the tool's own probe`."""
    text = Text(f"{label}: ", style="bold")
    if point is None:
        text.append("not sampled yet", style="dim")
        return text
    age = age_text(now, point.t)
    if point.source == "prometheus":
        text.append(f"from Prometheus, {age} ago", style="")
        if query:
            text.append(f" · {visible_line(query)}", style="dim")
    else:
        text.append(f"probed by the tool itself, {age} ago", style="")
    if point.detail and point.value is None:
        text.append(f" · {visible_line(point.detail)}", style="yellow")
    return text


def _set(table: DataTable, row: str, column: str, value: object) -> None:
    """update_cell only when the value changed (DataTable re-renders the row otherwise)."""
    current = table.get_cell(row, column)
    if str(current) != str(value) or (
        isinstance(value, Text) and isinstance(current, Text) and value.style != current.style
    ):
        table.update_cell(row, column, value)
