"""The `promql` check kind: an expression judged against its threshold, now or over a window.

"Error rate < 0.1 %" can tick from Prometheus: `metric = "error_rate"` uses the catalogue's
expression (promql.toml, or the environment's override), `query = "…"` any PromQL. With
`window = "5m"` the check asks a range query and judges the WORST value of the window (every
point must pass), so a spike two minutes ago still fails it. When the environment has no
Prometheus, `fallback = { kind = "http_json", … }` runs that check instead (same threshold),
so one binding serves teams with and without Prometheus.
"""

from __future__ import annotations

import re
import time
from typing import Any

from omniops_tui.core.status import SEVERITY
from omniops_tui.probes.base import CheckResult, CheckSpec, Threshold, fmt_number
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.prometheus import PrometheusClient, PrometheusError, shown
from omniops_tui.probes.promql_queries import bindings_for, render, variables
from omniops_tui.probes.registry import KINDS, threshold_of

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$")
_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
WINDOW_POINTS = 30


def parse_window(text: str) -> float:
    """`"5m"` → 300.0; "" → 0 (an instant query). ValueError for anything else."""
    if not text:
        return 0.0
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"window '{text}' is not a duration like 30s, 5m or 1h")
    return float(match.group(1)) * _SECONDS[match.group(2)]


async def check_promql(spec: CheckSpec, context: CheckContext) -> CheckResult:
    environment = context.environment
    settings = environment.prometheus if environment is not None else None
    if settings is None or not settings.url:
        return await _fallback(spec, context)
    try:
        query = _query(spec, settings, environment)
        window = parse_window(str(spec.param("window", "")))
    except ValueError as exc:
        return CheckResult.error(str(exc))
    asked = f"promql {query}" + (f" over {spec.param('window')}" if window else "") + f" at {settings.url}"
    key = (
        "prometheus",
        settings.url,
        settings.bearer_token_env,
        settings.username_env,
        settings.password_env,
        settings.verify_tls,
        settings.tls_ca_file,
        settings.timeout,
    )
    client = await context.shared(
        key, lambda: PrometheusClient.from_settings(settings, config=context.config, environment=environment)
    )  # one client (keep-alive) for every sweep, not one per check
    try:
        if window:
            end = time.time()
            step = max(1.0, window / WINDOW_POINTS)
            answer = await client.range(query, end - window, end, step)
            series = [(s.labels, [v for _t, v in s.points if v is not None]) for s in answer]
        else:
            answer_now = await client.instant(query)
            series = [(s.labels, [s.value] if s.value is not None else []) for s in answer_now]
    except PrometheusError as exc:
        return CheckResult.error(str(exc), asked=asked, answer=exc.kind)
    return judge(spec, query, series, asked, settings.host_label or "instance")


def judge(
    spec: CheckSpec, query: str, series: list[tuple[dict[str, str], list[float]]], asked: str, host_label: str
) -> CheckResult:
    """The worst value of every series against the threshold; no value at all is unknown."""
    label = str(spec.param("label") or spec.param("metric") or "value")
    unit = str(spec.param("unit", ""))
    threshold = threshold_of(spec)
    measured = [(labels, values) for labels, values in series if values]
    points = sum(len(values) for _labels, values in measured)
    if not measured:
        return CheckResult.unknown(f"unknown (no series for {shown(query)})", asked=asked, answer="no series")
    candidates = [(labels, _worst(values, threshold)) for labels, values in measured]
    labels, value = max(candidates, key=lambda lv: _badness(lv[1], threshold))
    status = threshold.judge(value) if threshold else "pass"
    summary = (
        threshold.describe(label, value, unit) if threshold else f"{label} {fmt_number(value)} {unit}".strip()
    )
    if spec.param("window"):
        summary += f" (worst of {spec.param('window')})"
    where = labels.get(host_label, "")
    if len(measured) > 1 and where:
        summary += f" on {where}"
    answer = f"{len(measured)} series, {points} points; worst {fmt_number(value)}{' ' + unit if unit else ''}"
    return CheckResult(status, round(value, 4), unit, summary, {"asked": asked, "answer": answer})


def _worst(values: list[float], threshold: Threshold | None) -> float:
    if threshold is None:
        return values[-1]  # no threshold: the latest value, shown
    return max(values, key=lambda value: _badness(value, threshold))


def _badness(value: float, threshold: Threshold | None) -> tuple[int, float]:
    if threshold is None:
        return 0, 0.0
    higher_is_worse = threshold.below is not None or threshold.warn_above is not None
    return SEVERITY.get(threshold.judge(value), 1), value if higher_is_worse else -value


def _query(spec: CheckSpec, settings: Any, environment: Any) -> str:
    values = variables(settings, environment)
    if spec.param("query"):
        text = render(str(spec.param("query")), values)
    elif spec.param("metric"):
        binding = bindings_for(settings).get(str(spec.param("metric")))
        if binding is None:
            raise ValueError(f"metric '{spec.param('metric')}' has no PromQL in this environment")
        text = render(binding.expr, values)
    else:
        raise ValueError("a promql check needs `query` or `metric`")
    if text is None:
        raise ValueError("the query needs expected_version, which this environment does not set")
    return text


async def _fallback(spec: CheckSpec, context: CheckContext) -> CheckResult:
    """No Prometheus here: the `fallback` check (same threshold), or "not configured"."""
    fallback = spec.param("fallback")
    where = f"[env.{context.env_name}]" if context.environment else "the config (no environment)"
    if not isinstance(fallback, dict) or str(fallback.get("kind", "")) not in KINDS:
        return CheckResult.not_configured(f"no prometheus url in {where}")
    kind = KINDS[str(fallback["kind"])]
    params = {name: param.default for name, param in kind.params.items()}
    params.update({key: value for key, value in fallback.items() if key != "kind"})
    substitute = CheckSpec(
        id=spec.id, kind=kind.name, title=spec.title, params=params, threshold=spec.threshold, host=spec.host
    )
    return await kind.load()(substitute, context)
