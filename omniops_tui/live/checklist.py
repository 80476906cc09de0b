"""Live checklists: the bound checks of the open runbook, run concurrently on an interval.

No Textual here: the app runs `LiveChecks.run()` in an async worker and passes `record`, the
session's one write path. Every result becomes a `check_result` event (the item ticks itself
or turns red from the fold, not from this code); an item that was passing and now fails is
flagged with an `item_flagged` event and `on_flag` (a notification), never silently unticked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from omniops_tui.core.events import Event, ItemFlagged
from omniops_tui.probes.base import CheckResult, CheckSpec
from omniops_tui.probes.bindings import Bindings
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.runner import expand, preload_clients, sweep, to_event, wait_or_wake
from omniops_tui.sessions.state import SessionState

FAILING = ("fail", "error")


@dataclass
class LiveChecks:
    context: CheckContext
    bindings: Bindings
    state: SessionState
    record: Callable[[Event], object]
    interval: float = 15.0
    on_running: Callable[[set[str]], None] = lambda items: None
    on_flag: Callable[[ItemFlagged], None] = lambda event: None
    running_items: set[str] = field(default_factory=set)
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    sweeps: int = 0

    def specs(self, runbook_id: str) -> list[CheckSpec]:
        return self.bindings.specs_for_runbook(runbook_id)

    def rerun_now(self) -> None:
        """Skip the rest of the wait: the engineer asked for fresh answers."""
        self._wake.set()

    async def run(self, runbook_id: str) -> None:
        """Sweep, wait the interval (or until `rerun_now`), repeat, until cancelled."""
        specs = self.specs(runbook_id)
        if not specs:
            return
        await preload_clients()
        while True:
            await self.sweep_once(specs)
            await wait_or_wake(self._wake, self.interval)

    async def sweep_once(self, specs: list[CheckSpec]) -> None:
        expanded = expand(specs, self.context)
        pending: dict[str, set[str]] = {spec.id: set(spec.item_ids) for spec in expanded}
        self.running_items = {item for items in pending.values() for item in items}
        self.on_running(set(self.running_items))
        was_done = {item: self._passing(item) for item in self.running_items}

        def arrived(spec: CheckSpec, result: CheckResult) -> None:
            self.record(to_event(spec, result))
            pending.pop(spec.id, None)
            self.running_items = {item for items in pending.values() for item in items}
            self.on_running(set(self.running_items))
            if result.status in FAILING:
                for item_id in spec.item_ids:
                    if was_done.get(item_id) and not self.state.item(item_id).flagged:
                        event = ItemFlagged(item_id=item_id, check_id=spec.id, summary=result.summary)
                        self.record(event)
                        self.on_flag(event)
                        was_done[item_id] = False

        try:
            await sweep(specs, self.context, on_result=arrived)
        finally:
            self.running_items = set()
            self.on_running(set())
            self.sweeps += 1

    def _passing(self, item_id: str) -> bool:
        item = self.state.items.get(item_id)
        return item is not None and item.check_status == "pass"
