"""Sampling with Prometheus first and the probes as the fallback: a drop-in for `MetricsSampler`.

At start, the history (`metric_history` events, recorded) and its points handed to
`after_round` like samples, so the rollback criteria evaluate the incident from before the
tool was opened and can fire at once. Then each interval: one instant query per figure, and
the tool's own probes only for what Prometheus did not give: a figure with no series or an
error there (no postgres_exporter? the PostgreSQL probe measures it) and the hosts missing
from the per-host answers (no node_exporter there? one SSH probe, as before). Every sample
says where it came from (`source`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from omniops_tui.core.events import Event, MetricBackfill, MetricSample
from omniops_tui.live.prometheus_source import PrometheusSource, history_samples
from omniops_tui.live.sampler import PROBED_FIGURES, MetricsSampler
from omniops_tui.probes.bindings import Bindings
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.runner import preload_clients, wait_or_wake


@dataclass
class PrometheusSampling:
    source: PrometheusSource
    context: CheckContext
    bindings: Bindings | None
    record: Callable[[Event], object]
    interval: float = 15.0
    after_round: Callable[[list[MetricSample]], None] = lambda samples: None
    rounds: int = 0
    history: list[MetricBackfill] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)  # service figures Prometheus gave last round
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    def sample_now(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """History first, then a round per interval; `after_round` sees both (the criteria)."""
        await preload_clients()
        try:
            self.after_round(await self.start())
            while True:
                samples = await self.sample_once()
                self.after_round(samples)
                await wait_or_wake(self._wake, self.interval)
        finally:
            await self.source.aclose()

    async def start(self) -> list[MetricSample]:
        """Fetch and record the history; its points as samples on the session's clock."""
        events = await self.source.backfill()
        for event in events:
            self.record(event)  # stamps it: its points can now be placed on the session's clock
        self.history = events
        return history_samples(events)

    async def sample_once(self) -> list[MetricSample]:
        if self.source.rounds == 0:  # the first answers decide what the probes must cover
            answered = await self.source.sample_once()
            probed = await self._probe_round(self._covered(answered))
        else:
            answered, probed = await asyncio.gather(
                self.source.sample_once(), self._probe_round(self.covered)
            )
        self.covered = self._covered(answered)
        measurable = self._probe_metrics()
        kept = [
            sample
            for sample in answered
            if sample.value is not None or sample.host or sample.metric not in measurable
        ]
        for sample in kept:
            self.record(sample)
        self.rounds += 1
        return [*kept, *probed]

    @staticmethod
    def _covered(samples: list[MetricSample]) -> set[str]:
        return {sample.metric for sample in samples if not sample.host and sample.value is not None}

    def _probe_metrics(self) -> set[str]:
        """Service figures the probes can measure with these bindings."""
        checks = self.bindings.checks if self.bindings else {}
        return {wanted.metric for wanted in PROBED_FIGURES if wanted.check_id in checks or wanted.adhoc}

    async def _probe_round(self, covered: set[str]) -> list[MetricSample]:
        """The probes for what Prometheus does not cover, recorded as they always were."""
        environment = self.context.environment
        if environment is None:
            return []
        bindings = self.bindings
        if bindings is not None:
            skipped = {wanted.check_id for wanted in PROBED_FIGURES if wanted.metric in covered}
            checks = {key: spec for key, spec in bindings.checks.items() if key not in skipped}
            bindings = Bindings(bindings.path, checks, bindings.place_sections)
        fallback = replace(environment, hosts=self.source.fallback_hosts())
        # Same config, SSH pool and history as the engine's context; only the hosts differ.
        context = CheckContext(
            self.context.config, fallback, timeout=self.context.timeout, _shared=self.context._shared
        )
        kept: list[MetricSample] = []

        def keep(event: Event) -> None:
            assert isinstance(event, MetricSample)
            if event.host or event.metric not in covered:
                self.record(event)
                kept.append(event)

        await MetricsSampler(context, bindings, keep).sample_once()
        return kept
