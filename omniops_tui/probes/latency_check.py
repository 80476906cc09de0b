"""The latency probe as a check: N GETs, `concurrency` at a time; avg, P95, max, error rate.

Its own module, apart from http.py, because it needs no httpx (latency.py times requests with
the standard library in threads of its own): a sweep of latency checks alone imports none.
The threads run in a process of their own (latency_worker.py), one per check context, so the
probe's CPU is not our event loop's: the rest of a sweep runs beside it (issue 12).
"""

from __future__ import annotations

import math
from typing import Any

from omniops_tui.probes.base import CheckResult, CheckSpec, fmt_number
from omniops_tui.probes.context import USER_AGENT, CheckContext
from omniops_tui.probes.latency import LatencyRequest, measure_in_threads
from omniops_tui.probes.latency_client import context_worker
from omniops_tui.probes.registry import threshold_of


def base_url_missing(context: CheckContext) -> CheckResult | None:
    """Not configured when the environment has no base_url (every HTTP kind asks this first)."""
    if not context.base_url:
        where = f"[env.{context.env_name}]" if context.environment else "the config (no environment)"
        return CheckResult.not_configured(f"no base_url in {where}")
    return None


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (P95 of 50 samples is the 48th smallest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


async def check_http_latency(spec: CheckSpec, context: CheckContext) -> CheckResult:
    """N GETs, `concurrency` at a time: avg, P95, max, error rate; `metric` is judged."""
    if (missing := base_url_missing(context)) is not None:
        return missing
    env = context.environment
    requests = int(spec.param("requests") or (env.latency_requests if env else 50))
    concurrency = max(1, int(spec.param("concurrency") or (env.latency_concurrency if env else 10)))
    metric = str(spec.param("metric", "p95")).lower()
    if metric not in ("p95", "avg", "max", "error_rate"):
        return CheckResult.error(f"unknown latency metric '{metric}' (p95, avg, max or error_rate)")
    url = context.url(spec.param("path"))
    # Timed in threads of a process of their own: our event loop's delays (and our GIL) must
    # not become the figure. `verify` is for the in-process fallback (no worker could start).
    request = LatencyRequest(
        url,
        requests,
        concurrency,
        context.timeout,
        verify=context.ssl_context,  # made by a worker if an https URL needs it, not here
        headers={"User-Agent": USER_AGENT},
        max_bytes=context.max_response_bytes or (1 << 20),
    )
    if context.probe_process:
        run = await (await context_worker(context)).measure(
            request, verify_tls=env.verify_tls if env else True, ca_file=env.tls_ca_file if env else ""
        )
    else:  # a context for one sweep: threads of this process (context.py says why)
        run = await measure_in_threads(request)
    times, errors = run.times_ms, run.errors
    stats = {
        "requests": requests,
        "concurrency": concurrency,
        "ok": len(times),
        "errors": len(errors),
        "avg_ms": round(sum(times) / len(times), 1) if times else None,
        "p95_ms": round(percentile(times, 0.95), 1) if times else None,
        "max_ms": round(max(times), 1) if times else None,
        "error_rate_pct": round(100.0 * len(errors) / requests, 2) if requests else 0.0,
    }
    evidence: dict[str, Any] = {
        "asked": f"GET {url} x{requests} ({concurrency} at a time)",
        "answer": (
            f"{len(times)} ok, {len(errors)} failed; avg {fmt_number(stats['avg_ms'])} ms, "
            f"P95 {fmt_number(stats['p95_ms'])} ms, max {fmt_number(stats['max_ms'])} ms"
            + (f"; first error: {errors[0]}" if errors else "")
        ),
        "stats": stats,
    }
    if not times:
        sent = len(errors)
        what = (
            f"all {requests} requests failed"
            if sent == requests
            else (f"the first {sent} requests timed out, the other {requests - sent} were not sent")
        )
        return CheckResult("fail", None, "ms", f"{what}: {errors[0]}", evidence)
    # The kind's default (P95 < 500 ms) is about milliseconds; an error rate is judged only
    # against a threshold the binding gives (its own numbers or `judged_by`).
    own_threshold = (spec.threshold is not None and not spec.threshold.empty) or spec.param("judged_by")
    threshold = threshold_of(spec) if metric != "error_rate" or own_threshold else None
    shown = {
        "p95": f"P95 {fmt_number(stats['p95_ms'])} ms",
        "avg": f"avg {fmt_number(stats['avg_ms'])} ms",
        "max": f"max {fmt_number(stats['max_ms'])} ms",
    }
    tail = ", ".join(text for name, text in shown.items() if name != metric)
    if metric == "error_rate":
        value, unit, label = stats["error_rate_pct"], "%", "error rate"
    else:
        value, unit, label = stats[f"{metric}_ms"], "ms", shown[metric].split(" ")[0]
    if value is None:  # not reached: with any answer timed, every figure above is a number
        return CheckResult("unknown", None, unit, f"no {label} measured", evidence)
        tail += f", {len(errors)}/{requests} errors"
    if threshold is None:
        return CheckResult("pass", value, unit, f"{label} {fmt_number(value)} {unit} ({tail})", evidence)
    status = threshold.judge(float(value))
    if errors and status == "pass" and metric != "error_rate":
        status = "warn"
    return CheckResult(
        status, value, unit, f"{threshold.describe(label, float(value), unit)} ({tail})", evidence
    )
