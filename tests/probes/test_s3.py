"""The S3 backup check against moto's threaded S3 server on loopback (boto3 in a thread)."""

from __future__ import annotations

import asyncio
import time

import boto3

from omniops_tui.probes.runner import run_check
from tests.probes.conftest import context_from, env_toml, spec


def _bucket(endpoint: str, name: str) -> object:
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=name)
    return client


async def test_newest_backup_present_and_recent(s3_server: str) -> None:
    client = _bucket(s3_server, "omniops-backups")
    client.put_object(
        Bucket="omniops-backups", Key="production/backup_20251001_020000.sql.gz", Body=b"x" * 10
    )
    client.put_object(
        Bucket="omniops-backups", Key="production/backup_20251024_020000.sql.gz", Body=b"y" * 2048
    )
    client.put_object(Bucket="omniops-backups", Key="staging/backup_newer.sql.gz", Body=b"z")
    context = context_from(
        env_toml(
            s3={
                "backup_url": "s3://omniops-backups/production/",
                "endpoint_url": s3_server,
                "region": "us-east-1",
            }
        )
    )
    result = await run_check(spec("s3_backup"), context)
    assert result.status == "pass", result
    assert result.evidence["key"] == "production/backup_20251024_020000.sql.gz"
    assert result.evidence["size"] == 2048 and result.evidence["objects"] == 2
    assert result.unit == "h" and result.value < 0.1
    assert result.summary.startswith("backup_20251024_020000.sql.gz 2 KB, ") and "< 26 h" in result.summary

    deadline = time.monotonic() + 60
    while (stale := await run_check(spec("s3_backup", max_age_hours=0.0001), context)).status == "pass":
        assert time.monotonic() < deadline, stale  # 0.36 s of age: the backup gets there by itself
        await asyncio.sleep(0.1)
    assert stale.status == "fail" and "h old >= " in stale.summary

    client.put_object(Bucket="omniops-backups", Key="production/backup_empty.sql.gz", Body=b"")
    empty = await run_check(spec("s3_backup"), context)
    assert empty.status == "warn" and "empty" in empty.summary


async def test_no_backup_fails_and_no_bucket_errors(s3_server: str) -> None:
    _bucket(s3_server, "empty-bucket")
    nothing = await run_check(
        spec("s3_backup"),
        context_from(env_toml(s3={"backup_url": "s3://empty-bucket/production/", "endpoint_url": s3_server})),
    )
    assert nothing.status == "fail" and nothing.summary == "no backup under s3://empty-bucket/production/"
    missing = await run_check(
        spec("s3_backup"),
        context_from(env_toml(s3={"backup_url": "s3://no-such-bucket/x/", "endpoint_url": s3_server})),
    )
    assert missing.status == "error" and "NoSuchBucket" in missing.summary + missing.evidence["answer"]


async def test_s3_not_configured() -> None:
    result = await run_check(spec("s3_backup"), context_from(env_toml(base_url="http://x")))
    assert (result.status, result.summary) == ("unknown", "not configured")
