"""DNS probe: the domain resolves ("Domain resolves correctly"), optionally to known addresses."""

from __future__ import annotations

import asyncio
import socket
from urllib.parse import urlparse

from omniops_tui.probes.base import CheckResult, CheckSpec, error_text
from omniops_tui.probes.context import CheckContext


async def check_dns(spec: CheckSpec, context: CheckContext) -> CheckResult:
    host = context.render(spec.param("host") or "") or urlparse(context.base_url).hostname or ""
    if not host:
        return CheckResult.not_configured("no base_url (or host) to resolve")
    asked = f"resolve {host}"
    loop = asyncio.get_running_loop()
    try:
        answers = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return CheckResult(
            "fail",
            [],
            "",
            f"{host} does not resolve: {error_text(exc)}",
            {"asked": asked, "answer": error_text(exc)},
        )
    addresses = sorted({str(info[4][0]) for info in answers})
    evidence = {"asked": asked, "answer": ", ".join(addresses)}
    expected = [str(a) for a in spec.param("expect") or []]
    missing = [a for a in expected if a not in addresses]
    if missing:
        return CheckResult(
            "fail",
            addresses,
            "",
            f"{host} resolves to {', '.join(addresses)}, not {', '.join(missing)}",
            evidence,
        )
    return CheckResult(
        "pass",
        addresses,
        "",
        f"{host} -> {', '.join(addresses[:3])}" + (" …" if len(addresses) > 3 else ""),
        evidence,
    )
