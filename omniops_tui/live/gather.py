"""Emergency Rollback step 8 for a live session: what to gather from where, then gather it.

The bundle's parts (live/diagnostics.py) need an SSH runner on the session's pooled
connections, the database URL from its variable, the health URL of the environment and the
timeline so far; this module wires those from the session, so the UI only asks for it.
"""

from __future__ import annotations

from pathlib import Path

from omniops_tui.live.base import SessionCore
from omniops_tui.live.diagnostics import DiagnosticsResult, gather_diagnostics


async def gather_for_session(session: SessionCore) -> DiagnosticsResult:
    from omniops_tui.probes.ssh import run
    from omniops_tui.sessions.export import export_session

    environment = session.setup.environment
    context = session.check_context() if environment is not None else None
    hosts = environment.hosts if environment is not None else []

    async def ssh_runner(host_name: str, command: str) -> tuple[int, str, str]:
        assert context is not None
        host = context.host(host_name) or hosts[0]
        ran = await run(context, host, command)
        return int(ran.exit_status or 0), ran.stdout, ran.stderr

    health_url = (
        context.url(environment.comprehensive_health_path)
        if context is not None and environment is not None and environment.base_url
        else None
    )
    try:
        timeline = export_session(session.session_path, "md", runbooks=session.setup.runbooks)
    except Exception as exc:  # a timeline that cannot be rendered must not cost the rest
        timeline = f"# Incident Timeline\n\n(could not render the timeline: {exc})\n"
    return await gather_diagnostics(
        Path(session.session_path).parent,
        ssh_runner=ssh_runner if hosts else None,
        db_dsn=session.database_url(),
        health_url=health_url,
        timeline_md=timeline,
        timeout=session.setup.config.timeout_for(environment) * 2,
        host=hosts[0].name if hosts else "production",
        redactor=session.setup.redactor,
    )
