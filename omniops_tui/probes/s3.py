"""S3 probe (boto3 in a worker thread): is there a recent backup under the prefix?

The runbooks upload `backup_YYYYmmdd_HHMMSS.sql.gz` to `s3://omniops-backups/production/`;
this finds the newest object there (LastModified), its age and size, and fails when there is
none or it is older than `max_age_hours`. boto3 is synchronous, so it runs in
`asyncio.to_thread`; its own connect/read timeouts stop the thread soon after the check's
timeout has given up on it.
"""

from __future__ import annotations

import asyncio
import functools
from datetime import UTC, datetime
from typing import Any

from omniops_tui.probes.base import CheckResult, CheckSpec, error_text, fmt_bytes, fmt_number
from omniops_tui.probes.context import CheckContext

MAX_PAGES = 50  # 50,000 keys: a backup prefix that large deserves a narrower prefix


@functools.lru_cache(maxsize=8)
def _client(profile: str, region: str, endpoint_url: str, timeout: float) -> Any:
    """One S3 client per profile, region, endpoint and timeout, made once and shared.

    Making a client loads and parses botocore's S3 service model (~0.1 s of CPU): paid on every
    sweep it was most of the runbook screen's CPU while nothing else happened. boto3 clients
    are thread-safe, and refreshable credentials (SSO, assumed roles) refresh themselves.
    """
    import boto3
    from botocore.config import Config as BotoConfig

    session = boto3.session.Session(profile_name=profile or None, region_name=region or None)
    return session.client(
        "s3",
        endpoint_url=endpoint_url or None,
        config=BotoConfig(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 1}),
    )


def _newest(
    bucket: str, prefix: str, suffix: str, endpoint_url: str, profile: str, region: str, timeout: float
) -> tuple[dict[str, Any] | None, int]:
    client = _client(profile, region, endpoint_url, timeout)
    newest: dict[str, Any] | None = None
    count = 0
    paginator = client.get_paginator("list_objects_v2")
    for page_number, page in enumerate(paginator.paginate(Bucket=bucket, Prefix=prefix)):
        for item in page.get("Contents", []):
            if suffix and not item["Key"].endswith(suffix):
                continue
            count += 1
            # S3 times have a resolution of a second: on a tie the later name (backup_YYYYMMDD…) wins.
            if newest is None or (item["LastModified"], item["Key"]) > (
                newest["LastModified"],
                newest["Key"],
            ):
                newest = item
        if page_number + 1 >= MAX_PAGES:
            break
    return newest, count


async def check_s3_backup(spec: CheckSpec, context: CheckContext) -> CheckResult:
    env = context.environment
    s3 = env.s3 if env else None
    if s3 is None or not s3.backup_url:
        return CheckResult.not_configured(
            f"no s3.backup_url in [env.{context.env_name}]" if env else "no environment configured"
        )
    max_age = float(spec.param("max_age_hours") or s3.max_age_hours)
    suffix = str(spec.param("suffix") or "")
    asked = (
        f"newest object under {s3.backup_url}"
        + (f" ending {suffix}" if suffix else "")
        + (f" (endpoint {s3.endpoint_url})" if s3.endpoint_url else "")
    )
    try:
        newest, count = await asyncio.to_thread(
            _newest, s3.bucket, s3.prefix, suffix, s3.endpoint_url, s3.profile, s3.region, context.timeout
        )
    except Exception as exc:  # botocore's errors: no credentials, no bucket, access denied, network
        text = error_text(exc)
        return CheckResult(
            "error",
            None,
            "h",
            f"cannot list {s3.backup_url}: {text}",
            {"asked": asked, "answer": f"{type(exc).__name__}: {text}"},
        )
    if newest is None:
        return CheckResult(
            "fail", None, "h", f"no backup under {s3.backup_url}", {"asked": asked, "answer": "0 objects"}
        )
    modified: datetime = newest["LastModified"]
    exact_age = (datetime.now(UTC) - modified).total_seconds() / 3600.0
    age = round(exact_age, 3)
    size = int(newest.get("Size", 0))
    key = newest["Key"]
    evidence = {
        "asked": asked,
        "answer": f"s3://{s3.bucket}/{key} {fmt_bytes(size)} "
        f"modified {modified:%Y-%m-%d %H:%M} UTC ({count} objects)",
        "key": key,
        "size": size,
        "last_modified": modified.isoformat(),
        "objects": count,
    }
    name = key.rsplit("/", 1)[-1]
    if exact_age >= max_age:
        return CheckResult(
            "fail",
            age,
            "h",
            f"newest backup {name} is {fmt_number(age)} h old >= {fmt_number(max_age)} h",
            evidence,
        )
    if size == 0:
        return CheckResult("warn", age, "h", f"newest backup {name} is empty (0 bytes)", evidence)
    return CheckResult(
        "pass",
        age,
        "h",
        f"{name} {fmt_bytes(size)}, {fmt_number(age)} h old < {fmt_number(max_age)} h",
        evidence,
    )
