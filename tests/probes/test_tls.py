"""TLS checks against a loopback TLS server presenting certificates generated for each case."""

from __future__ import annotations

from typing import Any

from omniops_tui.probes.runner import run_check
from tests.probes.conftest import CertFactory, LoopbackHTTP, context_from, env_toml, spec


async def _ok(
    method: str, target: str, headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes]:
    return 200, {}, b"ok"


async def _check(server_context: Any, ca_file: str | None, host: str = "localhost") -> Any:
    async with LoopbackHTTP(_ok, server_context) as server:
        values: dict[str, Any] = {"tls_host": host, "tls_port": server.port}
        if ca_file:
            values["tls_ca_file"] = ca_file
        return await run_check(spec("tls_certificate"), context_from(env_toml(**values)))


async def test_valid_certificate_passes_with_days_left(certs: CertFactory) -> None:
    result = await _check(certs.leaf("good", days=90), str(certs.ca_file))
    assert result.status == "pass" and result.unit == "days"
    assert 89 <= result.value <= 90
    assert result.summary.startswith("valid for localhost, ")
    assert result.evidence["served"]["names"] == ["localhost"]


async def test_expiring_soon_warns_and_expired_fails(certs: CertFactory) -> None:
    soon = await _check(certs.leaf("soon", days=5), str(certs.ca_file))
    assert soon.status == "warn" and soon.value < 14 and "< 14 days" in soon.summary
    expired = await _check(certs.leaf("old", expired=True), str(certs.ca_file))
    assert expired.status == "fail" and "expired" in expired.summary and expired.value < 0


async def test_wrong_host_and_untrusted_certificates_fail(certs: CertFactory) -> None:
    wrong = await _check(certs.leaf("other", hosts=("other.example",)), str(certs.ca_file))
    assert wrong.status == "fail" and "invalid for localhost" in wrong.summary
    assert "Hostname mismatch" in wrong.summary or "hostname" in wrong.summary.lower()
    assert wrong.evidence["served"]["names"] == ["other.example"]  # what is served instead
    untrusted = await _check(certs.leaf("self", self_signed=True), None)
    assert untrusted.status == "fail" and "self-signed" in untrusted.summary


async def test_tls_not_configured_and_refused() -> None:
    plain = await run_check(spec("tls_certificate"), context_from(env_toml(base_url="http://x.test")))
    assert (plain.status, plain.summary) == ("unknown", "not configured")
    refused = await run_check(
        spec("tls_certificate", host="127.0.0.1", port=1), context_from(env_toml(timeout=2))
    )
    assert refused.status == "error" and "127.0.0.1:1" in refused.summary
