"""TLS probe (ssl module): does the certificate verify for the host, and how long until expiry.

The document's smoke test 7 asks `openssl s_client … | grep "Verify return code: 0"`; this is
the same question over a real handshake, plus the days left (warn under 14, fail when expired).
When verification fails the certificate is fetched again without verifying, only to show what
is being served (subject, issuer, expiry) in the evidence.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from omniops_tui.probes.base import CheckResult, CheckSpec, error_text, fmt_number
from omniops_tui.probes.context import CheckContext
from omniops_tui.probes.registry import threshold_of


def tls_target(spec: CheckSpec, context: CheckContext) -> tuple[str, int] | None:
    """(host, port) to handshake with: `host` param, tls_host, else an https base_url's host."""
    env = context.environment
    host = context.render(spec.param("host") or "") or (env.tls_host if env else "")
    port = int(spec.param("port") or 0)
    if not host and context.base_url:
        parsed = urlparse(context.base_url)
        if parsed.scheme == "https":
            host = parsed.hostname or ""
            port = port or parsed.port or 0
    if not host:
        return None
    return host, port or (env.tls_port if env else 443) or 443


async def _handshake(host: str, port: int, context: ssl.SSLContext) -> tuple[dict[str, Any], bytes]:
    _reader, writer = await asyncio.open_connection(host, port, ssl=context, server_hostname=host)
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        decoded = ssl_object.getpeercert() or {}
        der = ssl_object.getpeercert(binary_form=True) or b""
        return decoded, der
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError):
            await writer.wait_closed()


def _describe_der(der: bytes) -> dict[str, Any]:
    """Subject, issuer, names and expiry of a certificate we could not verify."""
    from cryptography import x509

    cert = x509.load_der_x509_certificate(der)
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        san = [str(n) for n in names.get_values_for_type(x509.DNSName)]
        san += [str(n) for n in names.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        san = []
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "names": san,
        "not_after": cert.not_valid_after_utc.isoformat(),
    }


def _days_left(not_after: datetime) -> float:
    return round((not_after - datetime.now(UTC)).total_seconds() / 86400.0, 1)


async def check_tls(spec: CheckSpec, context: CheckContext) -> CheckResult:
    target = tls_target(spec, context)
    if target is None:
        return CheckResult.not_configured("no tls_host and base_url is not https")
    host, port = target
    asked = f"TLS handshake with {host}:{port} (verify certificate for {host})"
    configured = context.ssl_context()
    verify = configured is not False
    ssl_context = configured if isinstance(configured, ssl.SSLContext) else ssl.create_default_context()
    if not verify:
        ssl_context = ssl._create_unverified_context()  # verify_tls = false: expiry only
    try:
        decoded, der = await _handshake(host, port, ssl_context)
    except ssl.SSLCertVerificationError as exc:
        reason = exc.verify_message or error_text(exc)
        evidence: dict[str, Any] = {"asked": asked, "answer": f"verification failed: {reason}"}
        try:
            _decoded, der = await _handshake(host, port, ssl._create_unverified_context())
            evidence["served"] = _describe_der(der)
            days = _days_left(datetime.fromisoformat(evidence["served"]["not_after"]))
        except (OSError, ssl.SSLError, ValueError):
            days = None
        return CheckResult("fail", days, "days", f"certificate invalid for {host}: {reason}", evidence)
    except (OSError, ssl.SSLError) as exc:
        return CheckResult(
            "error",
            None,
            "days",
            f"{host}:{port}: {error_text(exc)}",
            {"asked": asked, "answer": error_text(exc)},
        )
    served = _describe_der(der) if der else {}
    if decoded.get("notAfter"):
        not_after = datetime.fromtimestamp(ssl.cert_time_to_seconds(decoded["notAfter"]), UTC)
    else:
        not_after = datetime.fromisoformat(served["not_after"])
    days = _days_left(not_after)
    evidence = {
        "asked": asked,
        "answer": f"verified={verify}; expires {not_after:%Y-%m-%d %H:%M} UTC",
        "served": served,
    }
    threshold = threshold_of(spec)
    status = threshold.judge(days) if threshold else "pass"
    when = f"expires {not_after:%Y-%m-%d}"
    if status == "pass":
        summary = f"valid for {host}, {fmt_number(days)} days left ({when})"
    elif days <= 0:
        summary = f"expired {fmt_number(-days)} days ago ({when})"
    else:
        summary = f"{threshold.describe('expires in', days, 'days') if threshold else days} ({when})"
    if not verify:
        summary += "; not verified (verify_tls = false)"
        status = "warn" if status == "pass" else status
    return CheckResult(status, days, "days", summary, evidence)
