"""`omniops-tui sessions export FILE --format md|json|deploy-log`: the record as documents.

- `md`: a post-mortem draft shaped like the runbook's incident timeline (Detection, Response,
  Impact, Root Cause), stating only what the events hold, each statement citing its event
  (rules in `incident`, rendering in `draft_md`), then the commands run, the record's gaps,
  the full timeline, the checklists, notes, failing checks, wizard path and diagnostics.
- `json`: the same, structured, for tools (`format: omniops-tui-postmortem`, `version: 1`).
- `deploy-log`: the Standard Release step 11 `deployment-log.txt` entry.

Every export goes through the redactor twice: on the events (a file recorded without one, or
on another machine, is still cleaned) and on the final text (belt and braces); then control
characters are made visible (md, deploy-log) or escaped (json).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from omniops_tui.core.text import json_for_terminal, visible
from omniops_tui.core.timefmt import human_duration, wall_clock
from omniops_tui.runbooks.model import RunbookSet
from omniops_tui.sessions.draft_md import markdown, number_text
from omniops_tui.sessions.postmortem import PostMortem, build_postmortem
from omniops_tui.sessions.reader import SessionFile, read_session
from omniops_tui.sessions.redact import Redactor

FORMATS = ("md", "json", "deploy-log")
JSON_FORMAT = "omniops-tui-postmortem"
FILL = "[FILL IN]"


def export_session(
    path: Path, fmt: str, *, runbooks: RunbookSet | None = None, redactor: Redactor | None = None
) -> str:
    """Read `path` and render it in `fmt` (one of FORMATS)."""
    return render(read_session(path), fmt, runbooks=runbooks, redactor=redactor)


def render(
    session: SessionFile, fmt: str, *, runbooks: RunbookSet | None = None, redactor: Redactor | None = None
) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (use one of {', '.join(FORMATS)})")
    report = build_postmortem(session, runbooks, redactor)
    if fmt == "md":
        text = markdown(report)
    elif fmt == "json":
        text = json.dumps(to_json(report), indent=2, ensure_ascii=False, default=str) + "\n"
    else:
        text = deploy_log(report)
    text = redactor.text(text) if redactor is not None else text
    # Outside text (log lines, bodies, notes) is data: no control character reaches a reader's
    # terminal raw. JSON escapes C0 itself; DEL and C1 get \u escapes (the data is unchanged).
    return json_for_terminal(text) if fmt == "json" else visible(text)


# ---------------------------------------------------------------------------- json
def to_json(report: PostMortem) -> dict[str, Any]:
    data = report.to_dict()
    summary = data.pop("summary")
    header = {
        key: data.pop(key)
        for key in (
            "session_id",
            "file",
            "user",
            "host",
            "environment",
            "tool_version",
            "started_at",
            "ended_at",
            "duration_s",
            "events",
            "status",
            "version",
            "commit",
            "backup_location",
        )
    }
    return {
        "format": JSON_FORMAT,
        "version": 1,
        "header": header,
        "summary": summary,
        "timeline": data.pop("timeline"),
        "checklists": data.pop("runbooks"),
        "notes": data.pop("notes"),
        "checks": data.pop("checks"),
        "wizard": data.pop("wizard"),
        "metrics": data.pop("metrics"),
        "diagnostics": data.pop("diagnostics"),
        "notices": data.pop("notices"),
        "commands": data.pop("commands"),
        "refused": data.pop("refused"),
    }


# ---------------------------------------------------------------------------- deploy log
def deploy_log(report: PostMortem) -> str:
    """Standard Release step 11's entry; what the record cannot know is left as [FILL IN]."""
    figures = report.metrics
    changes = [n.text.split(":", 1)[1].strip() for n in report.notes if n.text.lower().startswith("change:")]
    backup = report.backup_location or FILL
    lines = [
        "=================================",
        f"Deployment: {report.version or FILL}",
        f"Date: {wall_clock(report.started_at, with_date=True)}",
        f"Commit: {report.commit or FILL}",
        f"Deployer: {report.user or FILL}",
        f"Duration: {human_duration(report.duration_s)}",
        f"Status: {report.status}",
        "",
        "Changes:",
        *([f"- {c}" for c in changes] or [f"- {FILL}"]),
        "",
        "Metrics:",
        f"- Response time P95: {_figure(figures.get('p95'), 'ms')}",
        f"- Error rate: {_figure(figures.get('error_rate'), '%')}",
        f"- Memory usage: {_figure(figures.get('memory'), '')}",
        f"- CPU usage: {_figure(figures.get('cpu'), '%')}",
        "",
        f"Backup Location: {backup}",
        "=================================",
    ]
    return "\n".join(lines) + "\n"


def _figure(figure: dict[str, Any] | None, default_unit: str) -> str:
    if not figure or figure.get("value") is None:
        return FILL
    value = figure["value"]
    unit = figure.get("unit") or default_unit
    number = number_text(round(value, 3) if isinstance(value, float) else value)
    shown = f"{number}{unit}" if unit in ("%", "ms", "s", "GB", "MB", "") else f"{number} {unit}"
    return f"{shown} (from Prometheus)" if figure.get("origin") == "prometheus" else shown
