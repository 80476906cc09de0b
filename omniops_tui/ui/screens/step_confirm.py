"""`d` on a runbook screen: confirm the step under the cursor done (a recorded act).

A step (`**2. Docker Rollback**`) has no checkbox, yet "the rollback started" must come from
what the engineer did, not from a screen being opened (issue #9 C). Confirming a step records a
`step_confirmed` event: the timeline shows it, replay marks it, and the post-mortem counts it
(the first rollback step confirmed starts the rollback). A mixin, so the runbook screen only
adds the binding.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

from omniops_tui.ui.widgets.runbook_rows import HeadingRow, Row

CONFIRM_BINDING = Binding(
    "d",
    "confirm_step",
    "Step done",
    id="runbook.confirm_step",
    show=False,  # the footer at 80 columns is full; help (?) and the README list it
    tooltip="Confirm the step under the cursor done (recorded; the post-mortem counts it, "
    "e.g. the first rollback step confirmed starts the rollback)",
)


class StepConfirmActions:
    """The runbook screen's step confirmation (a mixin of `RunbookScreen`; `self` is the screen,
    which provides `runbook`, `current_view()`, `writable_engine()` and `notify()`)."""

    @property
    def _screen(self) -> Any:
        return self

    def current_step(self) -> HeadingRow | None:
        """The step heading at or above the highlighted row, within the section on show."""
        view = self._screen.current_view()
        if view is None or view.index is None:
            return None
        rows = [child for child in view.children if isinstance(child, Row)]
        for row in reversed(rows[: view.index + 1]):
            if isinstance(row, HeadingRow) and row.anchor_id:
                return row if row.has_class("heading-step") else None
        return None

    def action_confirm_step(self) -> None:
        screen = self._screen
        heading = self.current_step()
        if heading is None:
            screen.notify("Move to a step (or a row under it) to confirm it done", timeout=3, markup=False)
            return
        step = next((s for s in screen.runbook.steps() if s.id == heading.anchor_id), None)
        engine = screen.writable_engine()
        if step is None or engine is None:
            return
        recorded = engine.confirm_step(screen.runbook.id, step.id, step.title)
        if recorded is None:
            screen.notify(f"Already confirmed: {step.title}", timeout=3, markup=False)
        else:
            screen.notify(f"Step confirmed (recorded): {step.title}", timeout=3, markup=False)
