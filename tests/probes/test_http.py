"""HTTP checks against the sandbox's real HTTP app, and HTTPS ones against a loopback TLS server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from omniops_tui.probes.base import Threshold
from omniops_tui.probes.runner import run_check
from tests.probes.conftest import CertFactory, LoopbackHTTP, context_from, env_toml, sandbox_context, spec


async def test_health_and_smoke_tests_pass_then_fail_in_an_outage(sandbox: Any, tmp_path: Path) -> None:
    context = sandbox_context(sandbox, tmp_path)
    checks = [
        spec("http", "health", path="{health_path}", expect_status=200),
        spec(
            "http",
            "chat",
            method="POST",
            smoke_test=True,
            path="/api/chat",
            json={"message": "Hello", "domain": "{domain}"},
            require_field="response",
        ),
        spec("http", "embed-js", path="/embed.js"),
        spec("http", "embed", path="/embed?domain={domain}"),
        spec("http", "admin", path="/admin"),
        spec(
            "http",
            "gdpr",
            method="POST",
            smoke_test=True,
            path="/api/gdpr/export",
            json={"email": "test@example.com"},
            require_field="data",
        ),
        spec(
            "http",
            "scrape",
            method="POST",
            smoke_test=True,
            path="/api/scrape/status",
            json={"domain": "{domain}"},
        ),
    ]
    try:
        results = {s.id: await run_check(s, context) for s in checks}
        assert {k: r.status for k, r in results.items()} == dict.fromkeys(results, "pass"), results
        health = results["health"]
        assert health.value == 200 and health.summary.startswith("200 OK in ")
        assert health.evidence["asked"] == f"GET {sandbox.base_url}/api/health"
        assert health.evidence["answer"].startswith("HTTP 200")
        assert '"domain": "127.0.0.1:' in results["chat"].evidence["asked"]  # {domain} substituted

        sandbox.set_scenario("outage")
        results = {s.id: await run_check(s, context) for s in checks}
        assert {r.status for r in results.values()} == {"fail"}
        assert results["health"].summary == "HTTP 503 Service Unavailable (expected 200)"
        assert results["health"].evidence["answer"].startswith("HTTP 503")
    finally:
        await context.aclose()


async def test_require_field_and_contains_fail_when_absent(sandbox: Any, tmp_path: Path) -> None:
    context = sandbox_context(sandbox, tmp_path)
    try:
        missing = await run_check(spec("http", path="/api/version", require_field="response"), context)
        assert missing.status == "fail" and missing.summary == "200 OK but .response missing"
        text = await run_check(spec("http", path="/embed.js", contains="no-such-text-here"), context)
        assert text.status == "fail" and "no 'no-such-text-here'" in text.summary
        wrong = await run_check(spec("http", path="/api/health", expect_status=[201, 204]), context)
        assert wrong.status == "fail" and "expected 201/204" in wrong.summary
    finally:
        await context.aclose()


async def test_comprehensive_fields_and_thresholds_follow_the_scenario(sandbox: Any, tmp_path: Path) -> None:
    context = sandbox_context(sandbox, tmp_path)
    database = spec("http_json", "db", field="database", equals="connected")
    workers = spec("http_json", "workers", field="workers", equals=["processing"])
    error_rate = spec(
        "http_json", "err", field="errorRate", unit="%", label="error rate", threshold=Threshold(below=0.1)
    )
    p95 = spec("http_json", "p95", field="p95", unit="ms", threshold=Threshold(below=500))
    try:
        healthy = [await run_check(s, context) for s in (database, workers, error_rate, p95)]
        assert [r.status for r in healthy] == ["pass"] * 4
        assert healthy[2].value == 0.03 and healthy[2].summary == "error rate 0.03 % < 0.1 %"
        assert healthy[3].summary == "p95 180 ms < 500 ms"

        sandbox.set_scenario("error-spike")
        spike = await run_check(error_rate, context)
        assert spike.status == "fail" and spike.summary == "error rate 8.2 % >= 0.1 %"
        assert (await run_check(p95, context)).summary == "p95 890 ms >= 500 ms"

        sandbox.set_scenario("db-down")  # the endpoint answers 503 with its JSON: fields still judged
        down = await run_check(database, context)
        assert down.status == "fail" and down.summary == "database: disconnected (expected connected)"
        assert (await run_check(workers, context)).summary == "workers: stalled (expected processing)"

        sandbox.set_scenario("healthy")  # and back to green
        assert [(await run_check(s, context)).status for s in (database, error_rate)] == ["pass", "pass"]

        absent = await run_check(spec("http_json", field="noSuchField"), context)
        assert absent.status == "fail" and absent.summary == "noSuchField missing from the answer"
        text = await run_check(spec("http_json", field="status", threshold=Threshold(below=1)), context)
        assert text.status == "fail" and "is not a number" in text.summary
    finally:
        await context.aclose()


async def test_version_matches_expected_and_previous(sandbox: Any, tmp_path: Path) -> None:
    context = sandbox_context(sandbox, tmp_path, previous_version="v1.2.0")
    try:
        ok = await run_check(spec("http_version"), context)  # write_config sets expected_version
        assert ok.status == "pass" and ok.value == "v1.2.1" and ok.summary == "running v1.2.1 as expected"
        rolled = spec("http_version", expected="{previous_version}")
        not_yet = await run_check(rolled, context)
        assert not_yet.status == "fail" and not_yet.summary == "running v1.2.1, expected v1.2.0"
        sandbox.version = "v1.2.0"
        assert (await run_check(rolled, context)).status == "pass"
        unset = await run_check(
            spec("http_version", expected="{expected_version}"),
            sandbox_context(sandbox, tmp_path, expected_version=""),
        )
        assert unset.status == "unknown" and "expected_version not set" in unset.summary
    finally:
        await context.aclose()


async def test_latency_probe_measures_p95_and_error_rate(sandbox: Any, tmp_path: Path) -> None:
    context = sandbox_context(sandbox, tmp_path)
    probe = spec("http_latency", requests=50, concurrency=10, threshold=Threshold(below=500))
    try:
        fast = await run_check(probe, context)
        stats = fast.evidence["stats"]
        assert fast.status == "pass" and fast.unit == "ms"
        assert stats["requests"] == 50 and stats["ok"] == 50 and stats["errors"] == 0
        assert (
            stats["p95_ms"] <= stats["max_ms"] and stats["avg_ms"] <= stats["max_ms"]
        )  # (mean may pass P95)
        assert fast.value == stats["p95_ms"]
        assert fast.summary.startswith("P95 ") and "< 500 ms" in fast.summary

        sandbox.set_scenario("slow")  # /api/* really answers in 0.6-0.9 s
        slow = await run_check(
            spec("http_latency", requests=10, concurrency=10, threshold=Threshold(below=500)), context
        )
        assert slow.status == "fail" and slow.value >= 500 and ">= 500 ms" in slow.summary

        sandbox.set_scenario("error-spike")  # every 12th request of a path answers 500
        rate = await run_check(
            spec(
                "http_latency", requests=24, concurrency=4, metric="error_rate", threshold=Threshold(below=1)
            ),
            context,
        )
        assert rate.status == "fail" and rate.unit == "%" and rate.value == round(100 * 2 / 24, 2)
        assert rate.evidence["stats"]["errors"] == 2
    finally:
        await context.aclose()


async def test_secret_files_must_not_be_served(tmp_path: Path) -> None:
    async def handler(
        method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        return (200, {}, b"SECRET=1") if target == "/.env" else (404, {}, b"")

    async with LoopbackHTTP(handler) as server:
        context = context_from(env_toml(base_url=f"http://127.0.0.1:{server.port}"))
        try:
            leaked = await run_check(spec("http_absent"), context)
            assert leaked.status == "fail" and leaked.summary == "served: /.env"
            safe = await run_check(spec("http_absent", paths=["/.git/config"]), context)
            assert safe.status == "pass"
        finally:
            await context.aclose()


async def test_https_enforced_and_security_headers(certs: CertFactory) -> None:
    headers = {
        "Strict-Transport-Security": "max-age=31536000",
        "X-Frame-Options": "SAMEORIGIN",
        "X-Content-Type-Options": "nosniff",
    }
    served: dict[str, Any] = {"headers": headers, "redirect": True}

    async def tls_handler(
        method: str, target: str, h: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        return 200, dict(served["headers"]), b"<html>ok</html>"

    async def plain_handler(
        method: str, target: str, h: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        if served["redirect"]:
            return 301, {"Location": f"https://localhost{target}"}, b""
        return 200, {}, b"plain"

    async with LoopbackHTTP(tls_handler, certs.leaf("site")) as tls, LoopbackHTTP(plain_handler) as plain:
        context = context_from(
            env_toml(base_url=f"https://localhost:{tls.port}", tls_ca_file=str(certs.ca_file))
        )
        redirect = spec("https_redirect", http_url=f"http://127.0.0.1:{plain.port}/")
        try:
            assert (await run_check(spec("security_headers"), context)).status == "pass"
            ok = await run_check(redirect, context)
            assert ok.status == "pass" and ok.summary == "http:// redirects to https:// (301)"

            served["headers"] = {"X-Frame-Options": "SAMEORIGIN"}
            served["redirect"] = False
            missing = await run_check(spec("security_headers"), context)
            assert missing.status == "fail"
            assert missing.summary == "missing Strict-Transport-Security, X-Content-Type-Options"
            plain_ok = await run_check(redirect, context)
            assert plain_ok.status == "fail" and "without redirecting" in plain_ok.summary
        finally:
            await context.aclose()

    http_only = context_from(env_toml(base_url="http://127.0.0.1:1"))
    for kind in ("https_redirect", "security_headers"):
        result = await run_check(spec(kind), http_only)
        assert result.status == "unknown" and "not https" in result.summary
    await http_only.aclose()


async def test_dns_resolves_or_fails() -> None:
    context = context_from(env_toml(base_url="http://localhost:8080"))
    ok = await run_check(spec("dns"), context)
    assert ok.status == "pass" and "127.0.0.1" in ok.value
    wrong = await run_check(spec("dns", expect=["10.9.9.9"]), context)
    assert wrong.status == "fail" and "not 10.9.9.9" in wrong.summary
    missing = await run_check(spec("dns", host="no-such-host.invalid"), context)
    assert missing.status == "fail" and "does not resolve" in missing.summary


async def test_http_checks_without_a_base_url_are_not_configured() -> None:
    context = context_from(env_toml(database_url_env=""))
    for kind in ("http", "http_json", "http_version", "http_latency", "http_absent", "dns"):
        result = await run_check(spec(kind, field="x") if kind == "http_json" else spec(kind), context)
        assert (result.status, result.summary) == ("unknown", "not configured"), kind
        assert "base_url" in json.dumps(result.evidence) or kind == "dns"
