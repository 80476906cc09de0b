"""Metrics all session long: the sampler, then the rollback criteria and the wizard's evidence.

After every sampling round the criteria are evaluated on the recorded history
(`logic.criteria.evaluate_history`, a pure function of the samples, so a replay reads the same
states) and their firing and clearing are recorded; the wizard's suggestion for the question on
screen is refreshed from the same history.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from omniops_tui.core.errors import UserError
from omniops_tui.core.events import CriterionCleared, CriterionFired, MetricSample
from omniops_tui.live.base import Notice, SessionCore
from omniops_tui.logic.criteria import evaluate_history


class Sampler(Protocol):
    """The probes' sampler, or Prometheus first with the probes as its fallback."""

    rounds: int

    async def run(self) -> None: ...

    def sample_now(self) -> None: ...


class MetricsService:
    """Samples every interval and keeps the criteria and the wizard up to date."""

    def __init__(self, session: SessionCore, after_round: Callable[[], None] = lambda: None) -> None:
        self.session = session
        self.sampler: Sampler | None = None
        self._after_round = after_round  # the wizard refreshes its suggestion

    @property
    def rounds(self) -> int:
        return self.sampler.rounds if self.sampler is not None else 0

    async def run(self) -> None:
        # Imported here, once the first screen is up: the samplers pull in the SSH and
        # Prometheus probes and their query catalogue (issue 12, start-up).
        from omniops_tui.live.prometheus_sampling import PrometheusSampling
        from omniops_tui.live.prometheus_source import PrometheusSource
        from omniops_tui.live.sampler import MetricsSampler

        session = self.session
        setup = session.setup
        source = None
        try:
            source = PrometheusSource.from_environment(setup.config, setup.environment)
        except UserError as exc:  # a bad Prometheus setting: say it once, keep probing
            session.notify(Notice(f"Prometheus not used: {exc.message}", "warning", timeout=10))
        if source is not None:
            self.sampler = PrometheusSampling(
                source,
                session.check_context(),
                setup.bindings,
                session.record,
                interval=setup.interval,
                after_round=self.after_round,
            )
        else:
            self.sampler = MetricsSampler(
                session.check_context(),
                setup.bindings,
                session.record,
                interval=setup.interval,
                after_round=self.after_round,
            )
        await self.sampler.run()

    def sample_now(self) -> None:
        if self.sampler is not None:
            self.sampler.sample_now()

    def after_round(self, samples: list[MetricSample]) -> None:
        self.evaluate_criteria()
        self._after_round()

    def evaluate_criteria(self) -> None:
        """Record the criteria that started or stopped firing since the last round."""
        session = self.session
        criteria = session.basis.criteria
        if not criteria:
            return
        states = evaluate_history(criteria, session.state.metrics, session.offset())
        firing = session.state.criteria.firing
        for criterion in criteria:
            state = states[criterion.id]
            if state.status == "fired" and criterion.id not in firing:
                session.record(
                    CriterionFired(
                        criterion_id=criterion.id,
                        metric=criterion.metric,
                        threshold=criterion.threshold,
                        action=criterion.action,
                        evidence=state.evidence,
                    )
                )
                session.notify(
                    Notice(
                        f"Rollback criterion met: {criterion.metric} {criterion.threshold} → "
                        f"{criterion.action}\n{state.evidence}\nPress R to open Emergency Rollback",
                        "error",
                        timeout=15,
                    )
                )
            elif criterion.id in firing and state.status != "fired":
                session.record(CriterionCleared(criterion_id=criterion.id, evidence=state.evidence))
                session.notify(
                    Notice(f"Rollback criterion cleared: {criterion.metric} ({state.evidence})", timeout=6)
                )
