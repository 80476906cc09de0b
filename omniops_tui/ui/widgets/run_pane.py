"""The output pane under a runbook section: one run's output, as the session's projection has it.

The pane never hears the runner: it reads `state.commands` (the fold of the `command_*`
events) 20 times a second while the run it shows is going, and not at all otherwise. So a
replay shows the same pane with the output as it streamed, and a seek (a new state) simply
redraws it from the record. Each read takes only the chunks folded since the last one
(`RunRecord.chunks_since`), splits at most the newest `PER_READ` lines of them, makes control
characters visible (the record holds output as it came) and hands them to a `Log` (which keeps
`MAX_LINES`) in one `write_lines`: a 100 MB flood costs the pane a bounded amount of work per
tick and a bounded amount of memory, and keys keep answering. A group's lines carry a
`host │ ` prefix; the end of each host (exit code, duration, who interrupted it) is written as
the last line and in the border.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.timer import Timer

from omniops_tui.core.events import CommandFinished
from omniops_tui.core.text import visible, visible_line
from omniops_tui.sessions.projections.commands import RunRecord
from omniops_tui.sessions.view import SessionView
from omniops_tui.ui.widgets.log_pane import LogView

POLL_S = 0.05  # 20 Hz while a run is going
MAX_LINES = 1000  # lines the pane keeps (its scrollback)
PER_READ = 300  # the most lines it draws per read (a flood: the newest; the rest is counted)
LONG_LINE = 4096  # a line without an end (a progress bar) is shown once this long


class RunPane(Vertical):
    """The output of the run on show; hidden until there is one."""

    class Finished(Message):
        """The run on show has ended (posted once per run): the screen may offer ticks."""

        def __init__(self, run_id: str) -> None:
            super().__init__()
            self.run_id = run_id

    def __init__(self, session: SessionView, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="run-pane")
        self.session = session
        self.run_id = ""
        self.lines_received = 0  # output lines of this run the pane has read (drawn or not)
        self.lines_not_shown = 0  # of those, skipped in a flood (only the newest are drawn)
        self._record: RunRecord | None = None
        self._seen: dict[str, int] = {}
        self._partial: dict[str, str] = {}
        self._ended: set[str] = set()
        self._told_finished = ""
        self._timer: Timer | None = None
        self._log: LogView | None = None
        self._border = ("", "")

    def compose(self) -> ComposeResult:
        self._log = LogView(MAX_LINES, id="run-output")
        yield self._log

    def on_mount(self) -> None:
        self.display = bool(self.run_id)
        if self.run_id:
            self.read()

    @property
    def log_view(self) -> LogView:
        if self._log is None:
            self._log = self.query_one(LogView)
        return self._log

    @property
    def record(self) -> RunRecord | None:
        return self._record

    @property
    def live(self) -> bool:
        """A run is on show and has not ended."""
        return self._record is not None and not self._record.done

    # ------------------------------------------------------------------ what to show
    def show_run(self, run_id: str) -> None:
        """Show this run from its beginning (and follow it while it goes)."""
        self.run_id = run_id
        self._record = None
        if self.is_mounted:
            self.display = True
            self.read()

    def follow_latest(self, runbook_id: str) -> None:
        """Show the newest run of `runbook_id` in the state, if it is not on show already (a run
        started elsewhere, a replay reaching one, a seek that changed the state)."""
        runs = [r for r in self.session.state.commands.runs.values() if r.started.runbook_id == runbook_id]
        latest = runs[-1].run_id if runs else ""
        if latest and latest != self.run_id:
            self.show_run(latest)
        elif self.run_id:
            self.read()  # the same run: the state may have been replaced (a seek)

    # ------------------------------------------------------------------ reading the fold
    def read(self) -> None:
        """Draw what was folded since the last read; poll while the run goes."""
        record = self.session.state.commands.runs.get(self.run_id) if self.run_id else None
        if record is None:
            self._stop()
            if self.run_id:  # a seek went back before the run started
                self.run_id, self._record = "", None
                self.log_view.clear()
                self.display = False
            return
        if record is not self._record:
            self._restart(record)
        lines = self._new_lines(record)
        if record.done:
            lines.extend(self._ends(record))
        if lines:
            self.log_view.write_lines(lines)
        self._update_border(record)
        if record.done:
            self._stop()
            if self._told_finished != record.run_id:
                self._told_finished = record.run_id
                self.post_message(self.Finished(record.run_id))
        elif self._timer is None:
            self._timer = self.set_interval(POLL_S, self.read)

    def _restart(self, record: RunRecord) -> None:
        self._record = record
        self._seen.clear()
        self._partial.clear()
        self._ended.clear()
        self.lines_received = self.lines_not_shown = 0
        self.log_view.clear()
        self.log_view.refresh()

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _new_lines(self, record: RunRecord) -> list[str]:
        group = len(record.hosts) > 1
        out: list[str] = []
        for host in record.hosts:
            chunks, lost = record.chunks_since(host, self._seen.get(host, 0))
            self._seen[host] = record.received.get(host, 0)
            if not chunks and not lost:
                continue
            start, newlines = len(chunks), 0
            while start > 0 and newlines <= PER_READ:  # only the newest chunks can be drawn
                start -= 1
                newlines += chunks[start].count("\n")
            skipped = sum(chunk.count("\n") for chunk in chunks[:start])
            text = ("" if skipped or lost else self._partial.get(host, "")) + "".join(chunks[start:])
            self._partial.pop(host, None)
            ended = text.count("\n")
            pieces = text.rsplit("\n", min(ended, PER_READ + 1))  # split only what is drawn
            rest = pieces.pop()
            if ended > PER_READ + 1:
                pieces.pop(0)  # the older lines of this read, joined
            skipped += ended - len(pieces)
            if len(rest) > LONG_LINE:
                pieces.append(rest)
                rest = ""
            if rest:
                self._partial[host] = rest
            self.lines_received += skipped + len(pieces)
            self.lines_not_shown += skipped
            prefix = f"{visible_line(host or 'local')} │ " if group else ""
            if skipped or lost:
                gone = f"{skipped:,} lines" if not lost else "output"
                out.append(f"{prefix}──── {gone} not shown (a flood: the pane draws the newest)")
            shown = visible("\n".join(pieces)).split("\n") if pieces else []
            out.extend([prefix + line for line in shown] if prefix else shown)
        return out

    def _ends(self, record: RunRecord) -> list[str]:
        """The rest of each host's last line, then how it ended (once per host)."""
        group = len(record.hosts) > 1
        lines: list[str] = []
        for host in record.hosts:
            finished = record.finished.get(host)
            if finished is None or host in self._ended:
                continue
            self._ended.add(host)
            prefix = f"{visible_line(host or 'local')} │ " if group else ""
            rest = self._partial.pop(host, "")
            if rest:
                self.lines_received += 1
                lines.append(prefix + visible(rest))
            lines.append(f"{prefix}──── {visible_line(end_text(finished))}")
        return lines

    # ------------------------------------------------------------------ the border
    def _update_border(self, record: RunRecord) -> None:
        started = record.started
        what = (started.block_id or started.item_id).rsplit("/code-", 1)[0].rsplit("/", 1)[-1]
        title = visible_line(f"▶ {what} on {started.target or 'local'} · {started.safety}")
        subtitle = visible_line(self._state_text(record))
        if (title, subtitle) != self._border:  # each change repaints the border
            self._border = (title, subtitle)
            self.border_title, self.border_subtitle = Content(title), Content(subtitle)
        self.set_class(not record.done, "running")
        code = record.exit_code
        self.set_class(record.done and code != 0, "failed")

    def _state_text(self, record: RunRecord) -> str:
        lines = f"{self.lines_received:,} lines"
        capped = " · record capped" if record.capped else ""
        if not record.done:
            elapsed = max(0.0, self.session.offset() - record.started.t)
            return f"running {elapsed:.0f}s · {lines}{capped} · ctrl+c stops it"
        ends = [record.finished[h] for h in record.hosts if h in record.finished]
        duration = max((f.duration_s for f in ends), default=0.0)
        stopped = next((f.interrupted_by for f in ends if f.interrupted_by), "")
        how = f"exit {record.exit_code} in {duration:.1f}s" + (
            f" (interrupted: {stopped})" if stopped else ""
        )
        return f"{how} · {lines}{capped} · O hides"


def end_text(finished: CommandFinished) -> str:
    """`exit 0 after 1.2s`, `exit 130 after 4.0s (interrupted: user)`, or why it could not run."""
    if finished.error:
        return f"could not run: {finished.error}"
    stopped = f" (interrupted: {finished.interrupted_by})" if finished.interrupted_by else ""
    return f"exit {finished.exit_code} after {finished.duration_s:.1f}s{stopped}"
