"""Command palette (ctrl+p): jump to any runbook or section, or run any app action."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from omniops_tui.runbooks.text_pages import text_pages
from omniops_tui.ui.context import SessionScreen


class RunbookCommands(Provider):
    """Every runbook, every section of every runbook, and the app's main actions."""

    def _entries(self) -> list[tuple[str, str, object]]:
        screen = self.screen
        if not isinstance(screen, SessionScreen):  # a dialog: nothing to jump to from here
            return []
        ctx = screen.ctx
        shell = ctx.shell
        entries: list[tuple[str, str, object]] = [
            (
                "Which runbook? (decision-tree wizard)",
                "Answer yes/no questions to pick a runbook",
                partial(shell.show, "wizard"),
            ),
            ("Show the session timeline", "Notes and key events so far", partial(shell.show, "timeline")),
            ("Help: every key", "All key bindings on all screens", partial(shell.show, "help")),
            (
                "Show the logs",
                "Live logs of the configured hosts over SSH: filter, search, pause",
                partial(shell.show, "logs"),
            ),
            (
                "Show the metrics",
                "The runbooks' figures, per host, and the rollback criteria",
                partial(shell.show, "metrics"),
            ),
            (
                "Recorded sessions",
                "Replay a session, export its post-mortem",
                partial(shell.show, "sessions"),
            ),
        ]
        if ctx.writable:
            entries += [
                (
                    "Add a note to the timeline",
                    "What you saw, what you decided, and why",
                    partial(self.app.run_action, "note"),
                ),
                (
                    "Gather diagnostics (Emergency Rollback step 8)",
                    "Logs, active queries, health snapshot and timeline beside the session",
                    partial(self.app.run_action, "diagnostics"),
                ),
            ]
        engine = ctx.engine
        if ctx.demo is not None and engine is not None:
            from omniops_tui.sandbox.scenarios import SCENARIO_HELP, SCENARIOS

            entries += [
                (f"Demo scenario: {name}", SCENARIO_HELP.get(name, ""), partial(engine.switch_scenario, name))
                for name in SCENARIOS
            ]
        for runbook in ctx.session.basis.runbooks.runbooks:
            entries.append(
                (
                    f"Open runbook: {runbook.number}. {runbook.title}",
                    f"{runbook.duration} · risk {runbook.risk} · {runbook.when_to_use_summary}",
                    partial(shell.open_runbook, runbook.id, via="palette"),
                )
            )
            for section in runbook.sections:
                entries.append(
                    (
                        f"{runbook.title} › {section.title}",
                        "Jump to this section",
                        partial(shell.open_runbook, runbook.id, via="palette", section_id=section.id),
                    )
                )
        for page in text_pages(ctx.session.basis.runbooks):  # introductions, appendices
            entries.append(
                (
                    f"Open: {page.title}",
                    "Text outside the runbooks",
                    partial(shell.open_runbook, page.id, via="palette"),
                )
            )
            for section in page.sections:
                entries.append(
                    (
                        f"{page.title} › {section.title}",
                        "Jump to this section",
                        partial(shell.open_runbook, page.id, via="palette", section_id=section.id),
                    )
                )
        return entries

    async def discover(self) -> Hits:
        entries = self._entries()
        runbooks = [e for e in entries if e[0].startswith("Open runbook:")]
        for title, help_text, callback in [
            e for e in entries if " › " not in e[0] and not e[0].startswith("Open runbook:")
        ] + runbooks:
            yield DiscoveryHit(title, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)  # type: ignore[arg-type]
