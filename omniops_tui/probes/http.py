"""HTTP probes: health, comprehensive health fields, version, smoke tests.

Imported only when an HTTP check runs. Every request goes through the context's keep-alive
connections and worker threads (`CheckContext.http_requests`, http_client.py: http.client,
not httpx, a tenth of its CPU per request), whose bodies are cut at `max_response_mb`, and
leaves what was asked and what came back in the evidence.
Checks read: GET and HEAD; the document's smoke tests POST to endpoints that answer without
changing anything, and only when their binding declares `smoke_test = true`, never under
`--read-only` (`probes.readonly.method_problem`). The latency probe is latency_check.py: it
needs none either.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlparse

from omniops_tui.probes.base import (
    CheckResult,
    CheckSpec,
    Stopwatch,
    error_text,
    fmt_bytes,
    fmt_number,
    truncate,
)
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.http_client import Answer
from omniops_tui.probes.latency_check import base_url_missing
from omniops_tui.probes.latency_http import RequestFailed
from omniops_tui.probes.readonly import http_gate
from omniops_tui.probes.registry import limits_for, threshold_of


def _answer(response: Answer) -> str:
    reason = response.reason_phrase or ""
    body = response.text if response.content else ""
    cut = response.cut_at
    note = f"\n(answer cut at {fmt_bytes(cut)}: it was larger)" if cut else ""
    return truncate(f"HTTP {response.status_code} {reason}{note}\n{body}".rstrip())


def _status_line(response: Answer) -> str:
    return f"{response.status_code} {response.reason_phrase}".strip()


async def _request(
    context: CheckContext, method: str, path: str, *, json_body: Any = None, follow_redirects: bool = True
) -> tuple[str, Answer | None, float, str]:
    """(asked, response or None, elapsed ms timed in the request's thread, error text)."""
    client = await context.http_requests()
    url = context.url(path)
    asked = f"{method} {url}"
    if json_body is not None:
        asked += f" {json.dumps(json_body, ensure_ascii=False)}"
    watch = Stopwatch()
    try:
        response = await client.request(method, url, json_body=json_body, follow_redirects=follow_redirects)
    except RequestFailed as exc:
        return asked, None, watch.ms, str(exc)
    except (OSError, ValueError) as exc:  # e.g. a certificate file that cannot be read
        return asked, None, watch.ms, f"{type(exc).__name__}: {error_text(exc)}"
    return asked, response, response.elapsed_ms, ""


def get_field(data: Any, dotted: str) -> tuple[bool, Any]:
    """(found, value) of `a.b.c` (or `a/b`) in decoded JSON."""
    current = data
    for part in dotted.replace("/", ".").lstrip(".").split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return False, None
    return True, current


def _expected_statuses(spec: CheckSpec) -> list[int] | None:
    expected = spec.param("expect_status")
    if expected is None:
        return None
    return [int(s) for s in (expected if isinstance(expected, list) else [expected])]


async def check_http(spec: CheckSpec, context: CheckContext) -> CheckResult:
    """One request: status (2xx, or expect_status), then `require_field` / `contains`."""
    if (missing := base_url_missing(context)) is not None:
        return missing
    method = str(spec.param("method", "GET")).upper()
    body = context.render(spec.param("json"))
    gate = http_gate(method, smoke_test=bool(spec.param("smoke_test")), read_only=context.read_only)
    if gate is not None:  # refused, or a smoke test under read-only: the request is never sent
        asked = f"{method} {context.url(spec.param('path'))}"
        return CheckResult(gate[0], None, "", gate[1], {"asked": asked, "answer": gate[2]})
    asked, response, ms, error = await _request(context, method, spec.param("path"), json_body=body)
    if response is None:
        return CheckResult("error", None, "", error, {"asked": asked, "answer": error})
    evidence = {"asked": asked, "answer": _answer(response)}
    expected = _expected_statuses(spec)
    ok = response.status_code in expected if expected else 200 <= response.status_code < 300
    code = response.status_code
    if not ok:
        wanted = "/".join(map(str, expected)) if expected else "2xx"
        return CheckResult("fail", code, "", f"HTTP {_status_line(response)} (expected {wanted})", evidence)
    field = spec.param("require_field")
    if field:
        try:
            data = response.json()
        except ValueError:
            return CheckResult(
                "fail", code, "", f"{_status_line(response)} but not JSON (expected .{field})", evidence
            )
        found, value = get_field(data, field)
        if not found or value is None or value is False:
            return CheckResult("fail", code, "", f"{_status_line(response)} but .{field} missing", evidence)
    contains = spec.param("contains")
    if contains and contains not in response.text:
        return CheckResult(
            "fail", code, "", f"{_status_line(response)} but no '{contains}' in the body", evidence
        )
    return CheckResult("pass", code, "", f"{_status_line(response)} in {ms:.0f} ms", evidence)


async def _get_json(spec: CheckSpec, context: CheckContext) -> tuple[dict[str, Any], Any, CheckResult | None]:
    """(evidence, decoded JSON, failure result or None)."""
    asked, response, _ms, error = await _request(context, "GET", spec.param("path"))
    if response is None:
        return (
            {"asked": asked, "answer": error},
            None,
            CheckResult("error", None, "", error, {"asked": asked, "answer": error}),
        )
    evidence = {"asked": asked, "answer": _answer(response)}
    try:
        data = response.json()
    except ValueError:
        data = None
    # A degraded health endpoint answers 503 *with* its JSON: the fields still say what is wrong.
    if isinstance(data, dict) and (200 <= response.status_code < 300 or response.status_code >= 500):
        return evidence, data, None
    if not 200 <= response.status_code < 300:
        # No value: the status code is the answer's, not a measurement of the field asked for
        # (an outage's 503 once became "error rate 503 %" and "uptime 503 s").
        return evidence, None, CheckResult("fail", None, "", f"HTTP {_status_line(response)}", evidence)
    return evidence, None, CheckResult("fail", None, "", "answer is not JSON", evidence)


async def check_http_json(spec: CheckSpec, context: CheckContext) -> CheckResult:
    """A field of a JSON endpoint: text against `equals`, a number against the threshold."""
    if (missing := base_url_missing(context)) is not None:
        return missing
    evidence, data, failure = await _get_json(spec, context)
    if failure is not None:
        return failure
    field = str(spec.param("field"))
    label = spec.param("label") or field
    unit = str(spec.param("unit", ""))
    found, value = get_field(data, field)
    if not found:
        # A 5xx answering JSON without the field (an error spike's 500) is the failure itself,
        # said as such, not a health endpoint that forgot a field.
        status = str(evidence["answer"]).split("\n", 1)[0]
        failed = status if not status.startswith("HTTP 2") else ""
        why = f"{failed} (no {field} in it)" if failed else f"{field} missing from the answer"
        return CheckResult("fail", None, unit, why, evidence)
    accepted = spec.param("equals")
    if accepted is not None:
        accepted = [str(a) for a in (accepted if isinstance(accepted, list) else [accepted])]
        text = "null" if value is None else str(value)
        if text in accepted:
            return CheckResult("pass", value, unit, f"{label}: {text}", evidence)
        return CheckResult(
            "fail", value, unit, f"{label}: {text} (expected {' or '.join(accepted)})", evidence
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        return CheckResult("fail", value, unit, f"{label}: {value!r} is not a number", evidence)
    limits = limits_for(spec)
    if limits is not None and (problem := limits.out_of_range(value)):
        return CheckResult("unknown", None, unit, f"{label}: {problem}", evidence)
    threshold = threshold_of(spec)
    if threshold is None:
        return CheckResult("pass", value, unit, f"{label} {fmt_number(value)} {unit}".strip(), evidence)
    return CheckResult(
        threshold.judge(float(value)), value, unit, threshold.describe(label, float(value), unit), evidence
    )


def _normalise_version(version: str) -> str:
    return version.strip().removeprefix("v").removeprefix("V")


async def check_http_version(spec: CheckSpec, context: CheckContext) -> CheckResult:
    """The running version against the expected one (`{expected_version}` by default)."""
    if (missing := base_url_missing(context)) is not None:
        return missing
    evidence, data, failure = await _get_json(spec, context)
    if failure is not None:
        return failure
    field = str(spec.param("field", "version"))
    found, running = get_field(data, field)
    if not found or running in (None, ""):
        return CheckResult("fail", None, "", f"no {field} in the answer", evidence)
    running = str(running)
    raw_expected = str(spec.param("expected", "{expected_version}"))
    expected = str(context.render(raw_expected))
    if not expected:
        name = raw_expected.strip("{}") or "expected"
        return CheckResult(
            "unknown", running, "", f"running {running}; {name} not set in the config", evidence
        )
    evidence["expected"] = expected
    if _normalise_version(running) == _normalise_version(expected):
        return CheckResult("pass", running, "", f"running {running} as expected", evidence)
    return CheckResult("fail", running, "", f"running {running}, expected {expected}", evidence)


def _https_only(context: CheckContext) -> CheckResult | None:
    if (missing := base_url_missing(context)) is not None:
        return missing
    if urlparse(context.base_url).scheme != "https":
        return CheckResult.unknown(
            f"base_url is {urlparse(context.base_url).scheme}://, not https",
            reason="checked only when base_url is https",
        )
    return None


async def check_https_redirect(spec: CheckSpec, context: CheckContext) -> CheckResult:
    """Plain http:// answers with a redirect to https:// (the nginx `return 301`)."""
    if (skip := _https_only(context)) is not None:
        return skip
    parsed = urlparse(context.base_url)
    default = f"http://{parsed.hostname}{spec.param('path', '/')}"
    url = context.render(spec.param("http_url") or default)
    asked, response, _ms, error = await _request(context, "GET", url, follow_redirects=False)
    if response is None:
        return CheckResult(
            "fail", None, "", f"plain HTTP unreachable ({error})", {"asked": asked, "answer": error}
        )
    location = response.headers.get("location", "")
    evidence = {"asked": asked, "answer": truncate(f"HTTP {_status_line(response)}\nLocation: {location}")}
    if response.is_redirect and location.startswith("https://"):
        return CheckResult(
            "pass",
            response.status_code,
            "",
            f"http:// redirects to https:// ({response.status_code})",
            evidence,
        )
    return CheckResult(
        "fail",
        response.status_code,
        "",
        f"http:// answers {_status_line(response)} without redirecting to https://",
        evidence,
    )


async def check_security_headers(spec: CheckSpec, context: CheckContext) -> CheckResult:
    """The response carries the security headers of the document's nginx config."""
    if (skip := _https_only(context)) is not None:
        return skip
    asked, response, _ms, error = await _request(context, "GET", spec.param("path", "/"))
    if response is None:
        return CheckResult("error", None, "", error, {"asked": asked, "answer": error})
    wanted = [str(h) for h in spec.param("headers")]
    present = {h: response.headers.get(h) for h in wanted}
    missing = [h for h, v in present.items() if not v]
    evidence = {
        "asked": asked,
        "answer": truncate("\n".join(f"{h}: {v or '(missing)'}" for h, v in present.items())),
    }
    if missing:
        return CheckResult("fail", len(missing), "", f"missing {', '.join(missing)}", evidence)
    return CheckResult("pass", 0, "", f"all {len(wanted)} security headers present", evidence)


async def check_http_absent(spec: CheckSpec, context: CheckContext) -> CheckResult:
    """Secret files are not served: every path answers something other than 2xx."""
    if (missing := base_url_missing(context)) is not None:
        return missing
    paths = [str(p) for p in spec.param("paths")]
    answers = await asyncio.gather(*(_request(context, "GET", p, follow_redirects=False) for p in paths))
    served: list[str] = []
    lines: list[str] = []
    for path, (_asked, response, _ms, error) in zip(paths, answers, strict=True):
        if response is None:
            lines.append(f"{path}: {error}")
            continue
        lines.append(f"{path}: HTTP {response.status_code}")
        if 200 <= response.status_code < 300:
            served.append(path)
    evidence = {"asked": "GET " + ", ".join(context.url(p) for p in paths), "answer": "\n".join(lines)}
    if served:
        return CheckResult("fail", len(served), "", f"served: {', '.join(served)}", evidence)
    return CheckResult("pass", 0, "", f"none of {len(paths)} secret paths served", evidence)
