"""Live checklists: the bound checks of the open runbook, run concurrently on an interval.

The service follows the runbook the engineer has open (`focus`); while one is open its checks
sweep every interval (or at once on `rerun_now`). Coming back to a runbook whose answers are
younger than the interval (a look at the metrics and escape) waits for the rest of the
interval instead of sweeping again: a sweep per screen change made every key after it slow.
A sweep also waits for the engineer's keys to pause (none for `FOCUS_SETTLE_S`; however busy,
at most `SETTLE_MAX_S`; the UI calls `moved` on every key): on a loaded 2-core machine a
sweep's requests and answers (and, in the demo, the servers answering them in this same
process) held the screen's keys for hundreds of ms, and the first sweep of a runbook started
just as the engineer moved to the section they came for.

Every result becomes a `check_result` event through the session's one write path (the item
ticks itself or turns red from the fold, not from this code); an item that was passing and
now fails is flagged with an `item_flagged` event and a notice, never silently unticked.
"""

from __future__ import annotations

import asyncio
import time

from omniops_tui.core.events import ItemFlagged
from omniops_tui.core.status import FAILING, PASSING
from omniops_tui.live.base import Notice, SessionCore
from omniops_tui.probes.base import CheckResult, CheckSpec
from omniops_tui.probes.runner import expand, preload_clients, sweep, to_event, wait_or_wake

# A runbook just focused is swept once the engineer has pressed no key for this long, not
# at once: its screen (sharing the loop) paints first, a look that leaves sooner
# (enter, escape) starts no sweep at all, and the keys that move to the section wanted come
# before the sweep. The same pause is awaited before every sweep of the interval.
FOCUS_SETTLE_S = 0.5
SETTLE_MAX_S = 3.0  # however busy the navigation, a sweep waits no longer than this


class ChecklistService:
    """Runs the focused runbook's checks; `run()` is one long-running service."""

    def __init__(self, session: SessionCore) -> None:
        self.session = session
        self.runbook_id: str | None = None
        self.running_items: set[str] = set()
        self.sweeps = 0
        self._wake = asyncio.Event()
        self._forced = False  # the engineer asked for a sweep now (`rerun_now`)
        self._settle = False  # a runbook was just focused: let its screen paint first
        self._swept_at: dict[str, float] = {}  # loop time of each runbook's last sweep
        self._moved_at = float("-inf")  # when the engineer last moved (a focus, a key)
        self._settle_since = 0.0  # when the current wait for a pause began

    def focus(self, runbook_id: str | None) -> None:
        """The runbook on screen (None: none); its checks start once its screen has painted."""
        if runbook_id != self.runbook_id:
            self.runbook_id = runbook_id
            self._settle = runbook_id is not None
            self._settle_since = self._moved_at = _now()  # a focus is a move too
            self._wake.set()

    def moved(self) -> None:
        """The engineer pressed a key (the UI says so): the next sweep waits for a pause."""
        self._moved_at = _now()

    def rerun_now(self) -> None:
        """Skip the rest of the wait: the engineer asked for fresh answers."""
        self._forced = True
        self._wake.set()

    def specs(self, runbook_id: str) -> list[CheckSpec]:
        bindings = self.session.setup.bindings
        return bindings.specs_for_runbook(runbook_id) if bindings is not None else []

    async def run(self) -> None:
        """Sweep the focused runbook, wait the interval (or a wake), repeat, until cancelled."""
        await preload_clients()
        interval = self.session.setup.interval
        loop = asyncio.get_running_loop()
        while True:
            runbook_id = self.runbook_id
            specs = self.specs(runbook_id) if runbook_id else []
            if not runbook_id or not specs:
                await self._wake.wait()
                self._wake.clear()
                continue
            fresh_for = self._swept_at.get(runbook_id, float("-inf")) + interval - loop.time()
            if fresh_for > 0 and not self._forced:
                await wait_or_wake(self._wake, fresh_for)  # its answers are still fresh
                continue
            if self._settle and not self._forced:
                left = pause_left(_now(), self._moved_at, self._settle_since)
                if left > 0:
                    await wait_or_wake(self._wake, left)  # then looks again at what is focused
                    continue
            self._settle = self._forced = False
            await self.sweep_once(specs)
            self._swept_at[runbook_id] = loop.time()
            await wait_or_wake(self._wake, interval)  # returns at once if woken mid-sweep
            if not self._forced:  # the next sweep too waits for a pause of the keys
                self._settle, self._settle_since = True, _now()

    async def sweep_once(self, specs: list[CheckSpec]) -> None:
        session = self.session
        expanded = expand(specs, session.check_context())
        pending: dict[str, set[str]] = {spec.id: set(spec.item_ids) for spec in expanded}
        self._set_running({item for items in pending.values() for item in items})
        was_done = {item: self._passing(item) for item in self.running_items}

        def arrived(spec: CheckSpec, result: CheckResult) -> None:
            session.record(to_event(spec, result))
            pending.pop(spec.id, None)
            self._set_running({item for items in pending.values() for item in items})
            if result.status in FAILING:
                for item_id in spec.item_ids:
                    if was_done.get(item_id) and not session.state.item(item_id).flagged:
                        self._flag(item_id, spec.id, result.summary)
                        was_done[item_id] = False

        try:
            await sweep(specs, session.check_context(), on_result=arrived)
        finally:
            self._set_running(set())
            self.sweeps += 1

    def _flag(self, item_id: str, check_id: str, summary: str) -> None:
        session = self.session
        session.record(ItemFlagged(item_id=item_id, check_id=check_id, summary=summary))
        item = session.setup.runbooks.items_by_id().get(item_id)
        text = item.text if item else item_id
        session.notify(Notice(f"Was passing, now failing: {text}\n{summary}", "error", timeout=10))

    def _set_running(self, items: set[str]) -> None:
        if items != self.running_items:
            self.running_items = items
            self.session.running_changed(frozenset(items))

    def _passing(self, item_id: str) -> bool:
        item = self.session.state.items.get(item_id)
        return item is not None and item.check_status == PASSING


def pause_left(now: float, moved_at: float, since: float) -> float:
    """Seconds a sweep still waits: until the engineer has not moved for FOCUS_SETTLE_S, but
    never past SETTLE_MAX_S after the wait began (`since`); <= 0 means sweep now."""
    return min(FOCUS_SETTLE_S - (now - moved_at), SETTLE_MAX_S - (now - since))


def _now() -> float:
    """The clock of the waits (asyncio's loop time is this monotonic clock)."""
    return time.monotonic()
