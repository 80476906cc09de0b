"""The log panes' engine, without Textual or SSH: buffer, counters, filter, search, lag, line
splitting, backoff, sources, the record's cap and the replay fold."""

from __future__ import annotations

import re

import pytest

from omniops_tui.config.model import Environment, HostConfig
from omniops_tui.core.events import LogLines, LogReconnected, LogRecordCapped
from omniops_tui.core.logbuffer import (
    SEPARATOR,
    ContextFilter,
    LogBuffer,
    compile_pattern,
    count_matches,
    error_lines,
    filter_lines,
    find,
    gap_marker,
    is_error_line,
)
from omniops_tui.live.log_stream import Backoff, LineSplitter, skip_seen, sources_for
from omniops_tui.sessions.log_record import LogRecordCap
from omniops_tui.sessions.state import SessionState


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def numbered(start: int, stop: int) -> list[str]:
    return [f"line {i}" for i in range(start, stop)]


# ---------------------------------------------------------------------------- the buffer
def test_buffer_is_bounded_and_keeps_the_newest_lines() -> None:
    buffer = LogBuffer(5)
    for start in range(0, 12, 3):
        buffer.append(numbered(start, start + 3))
    assert len(buffer) == 5
    assert buffer.lines() == numbered(7, 12)
    assert buffer.received == 12


def test_a_huge_batch_keeps_only_what_fits() -> None:
    buffer = LogBuffer(100)
    buffer.append(numbered(0, 10_000))
    assert buffer.lines() == numbered(9_900, 10_000)
    assert (buffer.received, buffer.dropped, buffer.pending) == (10_000, 9_900, 100)


def test_dropped_counts_lines_evicted_before_the_pane_took_them() -> None:
    buffer = LogBuffer(5)
    buffer.append(numbered(0, 3))
    assert buffer.take_pending() == numbered(0, 3)
    buffer.append(numbered(3, 11))  # 8 new lines, room for 5: 3 never shown
    assert buffer.dropped == 3
    assert buffer.pending == 5
    assert buffer.take_pending() == numbered(6, 11)
    assert buffer.shown == 8
    buffer.append(numbered(11, 14))  # evicts lines already shown: not dropped
    assert buffer.dropped == 3
    assert buffer.received == buffer.shown + buffer.dropped + buffer.pending


def test_prefixed_batches_are_cut_mid_batch_and_snapshots_stay_put() -> None:
    """Batches are held as they came, prefixed on reading; eviction may cut one in the middle."""
    buffer = LogBuffer(5)
    buffer.append(["a", "b", "c"], prefix="x │ ")
    buffer.append_marker("──── m ────")
    buffer.append(["d", "e", "f"], prefix="y │ ")  # 7 lines, room for 5: "a" and "b" go
    assert buffer.lines() == ["x │ c", "──── m ────", "y │ d", "y │ e", "y │ f"]
    assert (buffer.dropped, buffer.pending) == (2, 5)
    copy = buffer.snapshot()
    buffer.append(["g", "h"], prefix="y │ ")
    assert buffer.lines() == ["y │ d", "y │ e", "y │ f", "y │ g", "y │ h"]
    assert copy.lines() == ["x │ c", "──── m ────", "y │ d", "y │ e", "y │ f"]
    assert buffer.take_pending() == buffer.lines()


def test_discarded_pending_lines_are_not_dropped_ones() -> None:
    buffer = LogBuffer(4)
    buffer.append(numbered(0, 4))
    assert buffer.discard_pending() == 4
    buffer.append(numbered(4, 8))
    assert buffer.dropped == 0 and buffer.lines() == numbered(4, 8)


def test_markers_are_shown_but_not_counted_as_received() -> None:
    buffer = LogBuffer(10)
    buffer.append(["a"])
    buffer.append_marker(gap_marker(12, 3))
    assert buffer.received == 1
    assert buffer.take_pending() == ["a", "──── gap of 12 s (reconnected after 3 attempts) ────"]


def test_lag_is_the_age_of_the_oldest_line_not_yet_shown() -> None:
    clock = Clock()
    buffer = LogBuffer(4, clock=clock)
    assert buffer.lag() == 0.0
    clock.now = 1.0
    buffer.append(["a", "b"])
    clock.now = 2.0
    buffer.append(["c"])
    clock.now = 3.5
    assert buffer.lag() == pytest.approx(2.5)
    buffer.append(["d", "e"])  # "a" falls out (dropped): "b" is now the oldest pending
    assert buffer.lag() == pytest.approx(2.5)
    buffer.append(["f"])  # "b" falls out: the oldest pending arrived at 2.0
    assert buffer.lag() == pytest.approx(1.5)
    buffer.take_pending()
    assert buffer.lag() == 0.0 and buffer.pending == 0


# ---------------------------------------------------------------------------- filter and search
def test_filter_shows_matches_with_context_and_separators() -> None:
    lines = numbered(0, 20)
    lines[5] = "line 5 ERROR boom"
    lines[15] = "line 15 ERROR again"
    shown = filter_lines(lines, re.compile("ERROR"), context=2)
    assert shown == [*lines[3:8], SEPARATOR, *lines[13:18]]


def test_filter_merges_close_groups_and_handles_the_edges() -> None:
    lines = ["ERROR first", "b", "c", "d", "ERROR close", "f", "g", "h", "i", "j", "ERROR last"]
    shown = filter_lines(lines, re.compile("ERROR"), context=2)
    assert shown == [*lines[:7], SEPARATOR, *lines[8:]]


def test_filter_over_batches_equals_filter_over_everything() -> None:
    lines = [f"line {i} {'WARN' if i % 7 == 0 else 'INFO'}" for i in range(100)]
    whole = filter_lines(lines, re.compile("WARN"), context=2)
    streamed = ContextFilter(re.compile("WARN"), context=2)
    pieces: list[str] = []
    for start in range(0, 100, 9):
        pieces.extend(streamed.feed(lines[start : start + 9]))
    assert pieces == whole
    assert streamed.matches == count_matches(lines, re.compile("WARN")) == 15


def test_markers_pass_any_filter() -> None:
    marker = gap_marker(3, 1)
    shown = filter_lines(["a", "b", "c", "d", marker, "e"], re.compile("nothing"), context=1)
    assert shown == ["d", marker, "e"]


def test_patterns_are_smart_case_and_invalid_ones_say_why() -> None:
    assert compile_pattern("error").search("ERROR boom")
    assert not compile_pattern("Error").search("ERROR boom")
    with pytest.raises(ValueError, match="invalid regex '\\[oops'"):
        compile_pattern("[oops")


def test_find_moves_to_next_and_previous_matches_and_wraps() -> None:
    lines = ["a", "hit 1", "b", SEPARATOR, "hit 2", gap_marker(1, 1), "c"]
    pattern = re.compile("hit|gap")
    assert find(lines, pattern, len(lines), backward=True) == (4, False)
    assert find(lines, pattern, 4, backward=True) == (1, False)
    assert find(lines, pattern, 1, backward=True) == (4, True)
    assert find(lines, pattern, 1) == (4, False)
    assert find(lines, pattern, 4) == (1, True)
    assert find(lines, re.compile("zzz"), 0) is None
    assert find([], pattern, 0) is None


def test_error_lines() -> None:
    assert is_error_line("2026-11-29T03:12:01.123Z ERROR [api] boom")
    assert is_error_line("FATAL out of memory")
    assert not is_error_line("INFO [api] error rate 0.02 %")
    assert not is_error_line("INFO [api] GET /ERRORS 200")
    batch = ["INFO a", "ERROR b", "INFO c ERRORS", "CRITICAL d"]
    assert error_lines(batch) == ["ERROR b", "CRITICAL d"]
    assert error_lines(["INFO a", "WARN b"]) == [] and error_lines([]) == []


# ---------------------------------------------------------------------------- streams
def test_splitter_keeps_the_partial_line_for_the_next_chunk() -> None:
    splitter = LineSplitter()
    assert splitter.feed(b"one\ntw") == ["one"]
    assert splitter.feed(b"o\r\nthree\nfo") == ["two", "three"]
    euro = "€".encode()
    assert splitter.feed(b"ur " + euro[:1]) == []
    assert splitter.feed(euro[1:] + b"\n") == ["four €"]
    assert splitter.feed(b"tail") == []
    assert splitter.flush() == ["tail"]
    assert splitter.flush() == []


def test_a_reconnect_skips_history_already_seen() -> None:
    history = ["a", "b", "c", "d"]
    assert skip_seen(history, "b") == ["c", "d"]
    assert skip_seen(history, "d") == []
    assert skip_seen(history, "zz") == history  # the gap was longer than the history


def test_backoff_grows_caps_and_resets_after_a_healthy_run() -> None:
    backoff = Backoff((1, 2, 4), healthy_after=30)
    assert [backoff.next_delay() for _ in range(5)] == [1, 2, 4, 4, 4]
    backoff.ran_for(5)
    assert backoff.next_delay() == 4
    backoff.ran_for(31)
    assert backoff.next_delay() == 1


def test_sources_are_files_then_commands_per_host() -> None:
    environment = Environment(
        name="prod",
        hosts=[
            HostConfig(
                "prod-1",
                logs=["/var/log/omniops/error.log", "/srv/other/error.log"],
                log_commands=["docker-compose logs -f --tail=100 app", "pm2 logs --lines 100"],
            ),
            HostConfig("prod-2", logs=["/var/log/my app.log"]),
        ],
    )
    sources = sources_for(environment, tail_lines=50)
    assert [s.id for s in sources] == [
        "prod-1:error.log",
        "prod-1:error.log#2",
        "prod-1:docker-compose",
        "prod-1:pm2",
        "prod-2:my app.log",
    ]
    assert sources[0].command == "tail -n 50 -F /var/log/omniops/error.log"
    assert sources[2].command == "docker-compose logs -f --tail=100 app"
    assert sources[4].command == "tail -n 50 -F '/var/log/my app.log'"
    assert sources[0].prefix == "prod-1 error.log │ "
    assert sources_for(None) == []


# ---------------------------------------------------------------------------- the record
def test_the_record_keeps_lines_up_to_its_budget_then_only_errors() -> None:
    cap = LogRecordCap(cap_bytes=25)
    first = cap.admit(["INFO one", "INFO two"])  # 16 bytes: within the budget
    assert first.kept == ["INFO one", "INFO two"] and not first.errors and not first.capped_now
    crossing = cap.admit(["INFO x", "ERROR three"])  # 6 fit, the rest is past it
    assert crossing.kept == ["INFO x"] and crossing.errors == ["ERROR three"] and crossing.capped_now
    later = cap.admit(["INFO four", "ERROR five"])
    assert later.kept == [] and later.errors == ["ERROR five"] and not later.capped_now
    assert cap.capped and cap.bytes_recorded == 16 + 6 + 11 + 10


def test_the_log_service_batches_records_and_caps(tmp_path) -> None:
    """Through a real session: lines become events per source; a long queue is written at once;
    past the budget the panes get every line and the record only the ERROR ones."""
    from omniops_tui.live import logs as logs_module
    from omniops_tui.live.log_stream import LogSource
    from omniops_tui.live.session import LiveSession
    from omniops_tui.live.setup import load_setup, open_session
    from omniops_tui.options import Options
    from omniops_tui.sessions.reader import read_session

    setup = load_setup(Options(sessions_dir=tmp_path))
    session = LiveSession(setup, *open_session(setup, session_id="logs"))
    source = LogSource("h:app.log", HostConfig("h"), "tail -F app.log", "app.log")
    service = logs_module.LogsService(session, [source], connect=None, cap_bytes=40)  # type: ignore[arg-type]
    service.stream_lines(source, ["INFO one", "INFO two"])
    assert not session.state.logs.sources  # queued until the next flush ...
    service.stream_lines(source, ["x"] * logs_module.BATCH_LINES)  # ... or until the queue is long
    shown = session.state.logs.sources["h:app.log"].buffer
    assert shown.received == 2 + logs_module.BATCH_LINES
    service.stream_lines(source, ["INFO three", "ERROR four"])
    service.flush()
    assert shown.lines()[-2:] == ["INFO three", "ERROR four"]  # the panes get every line
    session.end("test")
    events = read_session(session.recorder.path).events
    kinds = [(e.type, getattr(e, "errors_only", None)) for e in events if e.type.startswith("log_")]
    assert kinds == [("log_lines", False), ("log_record_capped", None), ("log_lines", True)]
    assert events[-2].lines == ["ERROR four"]  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- the replay fold
def test_the_fold_keeps_lines_gaps_and_a_merged_view_and_snapshots_independently() -> None:
    state = SessionState()
    state.apply(LogLines(source_id="prod-1:error.log", host="prod-1", lines=["a", "b"]))
    state.apply(LogReconnected(source_id="prod-1:error.log", host="prod-1", gap_s=12.2, attempts=3))
    state.apply(LogLines(source_id="prod-1:pm2", host="prod-1", lines=["c"]))
    logs = state.logs
    assert logs.sources["prod-1:error.log"].buffer.lines() == [
        "a",
        "b",
        "──── gap of 12 s (reconnected after 3 attempts) ────",
    ]
    assert logs.merged.lines() == [
        "prod-1 error.log │ a",
        "prod-1 error.log │ b",
        "──── prod-1:error.log: gap of 12 s (reconnected after 3 attempts) ────",
        "prod-1 pm2 │ c",
    ]
    copy = state.snapshot()
    state.apply(LogLines(source_id="prod-1:pm2", host="prod-1", lines=["d"]))
    state.apply(LogRecordCapped(cap_bytes=5))
    assert copy.logs.sources["prod-1:pm2"].buffer.lines() == ["c"]
    assert not copy.logs.capped and state.logs.capped


def test_the_log_engine_imports_without_textual_or_asyncssh() -> None:
    """DESIGN: only app.py and screens/ import Textual; SSH is loaded only when a stream runs."""
    import subprocess
    import sys

    modules = [
        "omniops_tui.core.logbuffer",
        "omniops_tui.live.log_stream",
        "omniops_tui.live.logs",
        "omniops_tui.live.session",
        "omniops_tui.sessions.log_record",
        "omniops_tui.sessions.projections.logs",
    ]
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('textual', 'asyncssh'):\n"
        "            raise ImportError(name + ' is blocked in this test')\n"
        "sys.meta_path.insert(0, Block())\n" + "".join(f"import {m}\n" for m in modules)
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


MERGED = [
    "prod-1 error.log │ 2026-11-30T03:12:05Z WARN slow query 812 ms",
    "prod-1 error.log │ 2026-11-30T03:12:06Z ERROR upstream timed out",
    "prod-1 combined.log │ 2026-11-30T03:12:07Z INFO GET /api/health 200",
    "prod-1 error.log │ 2026-11-30T03:12:08Z WARN retrying",
]


def test_the_merged_view_filter_and_search_match_the_text_not_the_label() -> None:
    """`/error` in the merged view: error.log's WARN lines carry "error" only in their label."""
    pattern = compile_pattern("error")
    assert filter_lines(MERGED, pattern, context=0, prefixed=True) == [MERGED[1]]
    assert find(MERGED, pattern, -1, prefixed=True) == (1, False)
    assert find(MERGED, pattern, 1, prefixed=True) == (1, True)  # wraps to the only match
    assert filter_lines(MERGED, compile_pattern("error.log"), context=0, prefixed=True) == []


def test_the_merged_view_search_highlight_skips_the_label() -> None:
    from rich.text import Text

    from omniops_tui.ui.widgets.log_pane import LogHighlighter

    highlighter = LogHighlighter()
    highlighter.search, highlighter.prefixed = compile_pattern("error"), True
    marked = []
    for line in MERGED[:2]:
        text = Text(line)
        highlighter.highlight(text)
        marked.append([line[s.start : s.end] for s in text.spans if s.style == LogHighlighter.SEARCH])
    assert marked == [[], ["ERROR"]]


def test_a_following_pane_skips_overtaken_lines_it_does_not_drop_them() -> None:
    buffer = LogBuffer(5)
    buffer.following = True  # the pane draws the newest lines every frame
    buffer.append(numbered(0, 4))
    buffer.append(numbered(4, 8))  # 3 lines overtaken before the next frame
    assert (buffer.skipped, buffer.dropped, buffer.pending) == (3, 0, 5)
    assert buffer.take_pending() == numbered(3, 8)
    buffer.following = False  # paused: what falls out unseen now is dropped
    buffer.append(numbered(8, 15))
    assert (buffer.skipped, buffer.dropped) == (3, 2)
    assert buffer.received == buffer.shown + buffer.skipped + buffer.dropped + buffer.pending
