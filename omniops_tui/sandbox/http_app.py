"""The OmniOps application as its smoke tests and health checks see it, per scenario.

Units are those of the real app: `errorRate` is a PERCENT (0.03 means 0.03 %, 8.2 means
8.2 %); `responseTime` (average) and `p95` are milliseconds; `uptime` is seconds.

How the scenarios act on the wire (so tests can be exact):
- outage: every path (known or not) answers 503 with nginx's HTML error page — what a proxy
  in front of a dead app sends; only the control endpoint still works.
- slow: every /api/* request is really delayed 0.6–0.9 s (a fixed pattern), so a P95 probe
  measures > 500 ms; pages and assets are not delayed.
- error-spike: each /api path counts its own requests since the last scenario switch and the
  12th, 24th … answer 500 (8.3 %). The first 11 requests to any path after a switch succeed,
  so "one call per check" is deterministic and a 50-request loop sees exactly 4 errors.
- db-down: /api/health stays 200 (liveness does not touch the database);
  /api/health/comprehensive answers 503 with `"database": "disconnected"`; chat, GDPR export,
  scrape status and the WooCommerce test answer 500 (they need the database).

hostile: healthy figures; `/api/health` answers plain text with raw control sequences and
markup, `/api/health/comprehensive` carries them (and secrets) in its JSON fields (see
sandbox/hostile.py). `/api/health/huge?mb=N` streams an N MiB JSON body in every scenario.
`/metrics` is the Prometheus text format (see exposition.py), counted as the proxy in front of
the app counts: it answers in every scenario, an outage being 503s.

Control endpoint (not part of the app, immune to scenarios): `GET /__sandbox/scenario` and
`POST /__sandbox/scenario` with `{"scenario": "error-spike"}` (and/or `{"version": "v1.2.0"}`).
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from omniops_tui.sandbox import exposition, hostile
from omniops_tui.sandbox.http_server import Request, Response
from omniops_tui.sandbox.scenarios import (
    ERROR_EVERY,
    SCENARIOS,
    SLOW_DELAY_S,
    ProductionState,
    check_scenario,
    commit_of,
)

CONTROL_PATH = "/__sandbox/scenario"
METRICS_PATH = "/metrics"
REQUESTS_PER_5MIN = 6000
_ECONN = "connect ECONNREFUSED 10.0.0.5:5432"
_TYPE_ERROR = "Cannot read properties of undefined (reading 'content')"
_OUTAGE_PAGE = (
    "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
    "<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_EMBED_JS = """(function () {
  /* OmniOps chat widget (sandbox build %s) */
  var script = document.currentScript;
  var domain = (script && script.dataset.domain) || window.location.hostname;
  var frame = document.createElement("iframe");
  frame.src = "%s/embed?domain=" + encodeURIComponent(domain);
  frame.style.cssText = "position:fixed;bottom:16px;right:16px;width:380px;height:560px;border:0";
  document.body.appendChild(frame);
})();
"""

Route = Callable[[Request], Awaitable[Response]]


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _page(title: str, body: str) -> Response:
    return Response.text(
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>\n'
        f"<body>{body}</body></html>\n",
        content_type="text/html; charset=utf-8",
    )


class OmniOpsApp:
    """Routes and scenario behaviour; call it with a Request to get a Response."""

    def __init__(self, state: ProductionState) -> None:
        self.state = state
        self.routes: dict[str, dict[str, Route]] = {
            "/": {"GET": self.home},
            "/admin": {"GET": self.admin},
            "/embed.js": {"GET": self.embed_js},
            "/embed": {"GET": self.embed},
            "/api/health": {"GET": self.health},
            "/api/health/comprehensive": {"GET": self.comprehensive},
            "/api/health/huge": {"GET": self.huge},
            "/api/version": {"GET": self.version},
            "/api/chat": {"POST": self.chat},
            "/api/gdpr/export": {"POST": self.gdpr_export},
            "/api/scrape/status": {"GET": self.scrape_status, "POST": self.scrape_status},
            "/api/woocommerce/test": {"GET": self.woocommerce_test},
            "/api/metrics": {"GET": self.metrics},
            "/api/test-error": {"POST": self.test_error},
        }

    async def __call__(self, request: Request) -> Response:
        if request.path == CONTROL_PATH:
            return await self.control(request)
        if request.path == METRICS_PATH:  # the proxy's count: it answers in an outage too
            return self.prometheus_metrics()
        profile = self.state.profile
        if not profile.app_running:
            return Response.text(_OUTAGE_PAGE, 503, "text/html")
        methods = self.routes.get(request.path.rstrip("/") or "/")
        if methods is None:
            return Response.json({"error": "Not Found", "path": request.path}, 404)
        method = "GET" if request.method == "HEAD" else request.method
        route = methods.get(method)
        if route is None:
            response = Response.json({"error": "Method Not Allowed"}, 405)
            response.headers["Allow"] = ", ".join(sorted(methods))
            return response
        if request.path.startswith("/api/"):
            n = self.state.count(request.path)
            if profile.slow:
                low, high = SLOW_DELAY_S
                await asyncio.sleep(low + (high - low) * ((n * 7) % 11) / 10)
            if profile.error_spike and n % ERROR_EVERY == 0:
                return Response.json({"error": "Internal Server Error", "message": _TYPE_ERROR}, 500)
        return await route(request)

    # ------------------------------------------------------------------ control
    async def control(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                data = request.json()
            except ValueError:
                return Response.json({"error": "body must be JSON"}, 400)
            if not isinstance(data, dict) or not ({"scenario", "version"} & data.keys()):
                return Response.json(
                    {"error": 'expected {"scenario": NAME}', "scenarios": list(SCENARIOS)}, 400
                )
            if "scenario" in data:
                try:
                    check_scenario(str(data["scenario"]))
                except ValueError as exc:
                    return Response.json({"error": str(exc), "scenarios": list(SCENARIOS)}, 400)
                self.state.set_scenario(str(data["scenario"]))
            if "version" in data:
                self.state.version = str(data["version"])
        elif request.method not in ("GET", "HEAD"):
            return Response.json({"error": "Method Not Allowed"}, 405)
        return Response.json(
            {"scenario": self.state.scenario, "version": self.state.version, "scenarios": list(SCENARIOS)}
        )

    def prometheus_metrics(self) -> Response:
        """The Prometheus text format: request counters by status, latency histogram, build info."""
        text = exposition.exposition(exposition.app_lines(self.state, time.time()))
        return Response.text(text, content_type=exposition.CONTENT_TYPE)

    # ------------------------------------------------------------------ pages
    async def home(self, request: Request) -> Response:
        return _page(
            "OmniOps",
            "<h1>OmniOps</h1><p>AI customer service for your store.</p>"
            '<script src="/embed.js" data-domain="yourdomain.com"></script>',
        )

    async def admin(self, request: Request) -> Response:
        return _page(
            "OmniOps admin", '<h1>Dashboard</h1><div id="conversations"></div><div id="scraping"></div>'
        )

    async def embed_js(self, request: Request) -> Response:
        origin = f"http://{request.headers.get('host', '127.0.0.1')}"
        return Response.text(
            _EMBED_JS % (self.state.version, origin), content_type="application/javascript; charset=utf-8"
        )

    async def embed(self, request: Request) -> Response:
        domain = request.query.get("domain", "")
        if not domain:
            return Response.text("domain is required\n", 400)
        return _page(
            "OmniOps chat",
            f'<div id="omniops-chat" data-domain="{html.escape(domain)}">How can we help?</div>',
        )

    # ------------------------------------------------------------------ api
    async def health(self, request: Request) -> Response:
        if self.state.profile.hostile:
            return Response.text(hostile.health_text())
        return Response.json(
            {"status": "ok", "timestamp": _now_iso(), "uptime": round(self.state.uptime(), 1)}
        )

    async def comprehensive(self, request: Request) -> Response:
        p = self.state.profile
        body: dict[str, object] = {
            "status": p.status,
            "timestamp": _now_iso(),
            "database": p.database,
            "redis": p.redis,
            "workers": p.workers,
            "uptime": round(self.state.uptime(), 1),
            "errorRate": p.error_rate,
            "responseTime": p.response_time_ms,
            "p95": p.p95_ms,
            "version": self.state.version,
            "warnings": list(p.warnings),
        }
        if not p.db_reachable:
            body["error"] = _ECONN
        if p.hostile:
            body.update(hostile.comprehensive_fields())
        if request.query.get("verbose", "").lower() in ("1", "true", "yes"):
            body["checks"] = {
                "database": {
                    "status": p.database,
                    "latencyMs": None if not p.db_reachable else 4.2,
                    "pool": {"active": 12, "idle": 8, "max": 100},
                },
                "redis": {"status": p.redis, "latencyMs": 0.8, "hitRate": 89.1},
                "workers": {"status": p.workers, "active": 3, "queued": 4 if p.db_reachable else 212},
            }
            body["memory"] = {"rssMb": int(p.mem_used_mb * 0.68), "heapUsedMb": int(p.mem_used_mb * 0.3)}
        return Response.json(body, p.comprehensive_http)

    async def huge(self, request: Request) -> Response:
        """`?mb=N`: an N MiB JSON body (1 by default), streamed: for body-size caps."""
        size = hostile.huge_size(request.query)
        return Response(200, stream=lambda: hostile.huge_body(size), length=size)

    async def version(self, request: Request) -> Response:
        return Response.json(
            {
                "version": self.state.version,
                "commit": commit_of(self.state.version),
                "environment": "production",
            }
        )

    def _db_error(self) -> Response | None:
        if self.state.profile.db_reachable:
            return None
        return Response.json({"error": "Database connection failed", "details": _ECONN}, 500)

    async def chat(self, request: Request) -> Response:
        try:
            data = request.json()
        except ValueError:
            return Response.json({"error": "Invalid JSON body"}, 400)
        if not isinstance(data, dict) or not isinstance(data.get("message"), str) or not data["message"]:
            return Response.json({"error": "message is required"}, 400)
        if (failure := self._db_error()) is not None:
            return failure
        conversation = (
            data.get("conversationId") or "conv_" + hashlib.sha1(data["message"].encode()).hexdigest()[:12]
        )
        return Response.json(
            {
                "response": "Hello! Thanks for reaching out. Our support team is available 9am-5pm, "
                "Monday to Friday, and I can help you right now with orders, shipping and returns.",
                "conversationId": conversation,
                "sources": [],
            }
        )

    async def gdpr_export(self, request: Request) -> Response:
        try:
            data = request.json()
        except ValueError:
            return Response.json({"error": "Invalid JSON body"}, 400)
        if not isinstance(data, dict) or not data.get("email"):
            return Response.json({"error": "email is required"}, 400)
        if (failure := self._db_error()) is not None:
            return failure
        return Response.json(
            {
                "data": {
                    "email": data["email"],
                    "exportedAt": _now_iso(),
                    "conversations": [
                        {"id": "conv_3f9a1c2b7d4e", "createdAt": "2026-10-02T14:21:09.000Z", "messages": 6}
                    ],
                    "messages": 6,
                }
            }
        )

    async def scrape_status(self, request: Request) -> Response:
        if (failure := self._db_error()) is not None:
            return failure
        p = self.state.profile
        return Response.json(
            {
                "status": "ok",
                "jobsCompleted": 1200 + int(self.state.uptime() / 2),
                "jobsActive": 14 if p.slow else 3,
                "jobsFailed": 37 if p.error_spike else 1,
            }
        )

    async def woocommerce_test(self, request: Request) -> Response:
        if (failure := self._db_error()) is not None:
            return failure
        return Response.json(
            {
                "success": True,
                "status": "ok",
                "storeUrl": "https://shop.example.com",
                "apiVersion": "wc/v3",
                "productsFound": 150,
            }
        )

    async def metrics(self, request: Request) -> Response:
        p = self.state.profile
        cutoff = time.time() - 300
        test_errors = sum(1 for t in self.state.test_errors if t >= cutoff)
        return Response.json(
            {
                "errors_last_5min": round(REQUESTS_PER_5MIN * p.error_rate / 100) + test_errors,
                "requests_last_5min": REQUESTS_PER_5MIN + test_errors,
                "errorRate": p.error_rate,
                "responseTime": p.response_time_ms,
                "p95": p.p95_ms,
                "uptime": round(self.state.uptime(), 1),
            }
        )

    async def test_error(self, request: Request) -> Response:
        event_id = hashlib.sha1(f"{time.time_ns()}".encode()).hexdigest()[:16]
        self.state.test_errors.append(time.time())
        self.state.inject("ERROR", "sentry", f"Test error triggered via /api/test-error (event {event_id})")
        return Response.json({"message": "Test error sent to error tracking", "eventId": event_id}, 202)
