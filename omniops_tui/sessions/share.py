"""Sharing sessions through S3: `sessions push FILE s3://bucket/prefix`, `sessions pull …`.

A team keeps its post-mortem records in one bucket. boto3 is imported only here, when a
command needs it; credentials come from the usual AWS chain (environment, profile, instance
role), `--profile` picks a named profile and `--endpoint-url` a non-AWS endpoint (MinIO,
moto). Every failure a user can fix — a bad URL, no credentials, a missing bucket or object,
an unreachable endpoint — is one `UserError` line (exit 2), never a botocore traceback.

What is pushed is the session file as recorded: it was redacted when it was written.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from omniops_tui.core.errors import UserError
from omniops_tui.core.text import has_control, visible_line
from omniops_tui.sessions.reader import read_header

CONTENT_TYPE = "application/x-ndjson"


@dataclass(frozen=True, slots=True)
class S3Location:
    bucket: str
    key: str  # a prefix ("team/sessions/" or "") or an object key

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def child(self, name: str) -> S3Location:
        prefix = self.key if not self.key or self.key.endswith("/") else self.key + "/"
        return S3Location(self.bucket, prefix + name)


@dataclass(frozen=True, slots=True)
class RemoteSession:
    key: str
    size: int
    last_modified: str

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1]


def parse_s3_url(url: str) -> S3Location:
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise UserError(f"{url}: not an S3 URL; use s3://bucket/prefix")
    if parsed.query or parsed.fragment:
        raise UserError(f"{url}: an S3 URL has no ?query or #fragment; use s3://bucket/prefix")
    return S3Location(parsed.netloc, parsed.path.lstrip("/"))


def safe_file_name(name: str) -> bool:
    """Is `name` (the last part of an S3 key) safe to use as a file name inside a folder?"""
    return (
        bool(name)
        and name not in (".", "..")
        and "/" not in name
        and "\\" not in name
        and not has_control(name)
        and "\n" not in name
    )


def _client(endpoint_url: str | None, profile: str | None, region: str | None = None) -> Any:
    try:
        import boto3
        from botocore.config import Config as BotoConfig
        from botocore.exceptions import ProfileNotFound
    except ImportError as exc:  # pragma: no cover - boto3 is a dependency
        raise UserError("boto3 is not installed; `pip install boto3` to push and pull sessions") from exc
    try:
        session = boto3.session.Session(profile_name=profile or None)
    except ProfileNotFound as exc:
        raise UserError(f"AWS profile '{profile}' not found in your AWS config") from exc
    config = BotoConfig(connect_timeout=5, read_timeout=30, retries={"max_attempts": 2})
    return session.client(
        "s3",
        endpoint_url=endpoint_url or None,
        region_name=region or session.region_name or "us-east-1",
        config=config,
    )


def _explain(exc: Exception, location: S3Location, action: str) -> UserError:
    """botocore's exceptions as one line the on-call engineer can act on."""
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        PartialCredentialsError,
    )

    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return UserError(
            f"{action} {location.url}: no AWS credentials found (set AWS_PROFILE or "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or pass --profile)"
        )
    if isinstance(exc, EndpointConnectionError):
        return UserError(f"{action} {location.url}: cannot reach the S3 endpoint ({exc})")
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        if code == "NoSuchBucket":
            return UserError(f"{action} {location.url}: bucket '{location.bucket}' does not exist")
        if code in ("NoSuchKey", "404", "NotFound"):
            return UserError(f"{action} {location.url}: no such object in bucket '{location.bucket}'")
        if code in ("AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
            return UserError(f"{action} {location.url}: access denied ({code}); check your AWS credentials")
        return UserError(f"{action} {location.url}: S3 error {code}: {error.get('Message', exc)}")
    return UserError(f"{action} {location.url}: {type(exc).__name__}: {exc}")


def _botocore_errors() -> tuple[type[Exception], ...]:
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError)


# ---------------------------------------------------------------------------- commands
def push_session(
    path: Path, url: str, *, endpoint_url: str | None = None, profile: str | None = None
) -> S3Location:
    """Upload a session file to `url` (a prefix: the file keeps its name); returns where."""
    location = parse_s3_url(url)
    if not path.is_file():
        raise UserError(f"{path}: no such session file")
    read_header(path)  # refuse to share something that is not a session
    target = location if location.key.endswith(".jsonl") else location.child(path.name)
    client = _client(endpoint_url, profile)
    try:
        with open(path, "rb") as body:
            client.put_object(Bucket=target.bucket, Key=target.key, Body=body, ContentType=CONTENT_TYPE)
    except _botocore_errors() as exc:
        raise _explain(exc, target, "push to") from exc
    return target


def list_remote(
    url: str, *, endpoint_url: str | None = None, profile: str | None = None
) -> list[RemoteSession]:
    """The session files directly under a prefix (not in its sub-folders), newest first."""
    location = parse_s3_url(url)
    prefix = location.key if not location.key or location.key.endswith("/") else location.key + "/"
    client = _client(endpoint_url, profile)
    found: list[RemoteSession] = []
    try:
        for page in client.get_paginator("list_objects_v2").paginate(
            Bucket=location.bucket, Prefix=prefix, Delimiter="/"
        ):
            for item in page.get("Contents", []):
                if item["Key"].endswith(".jsonl"):
                    found.append(
                        RemoteSession(
                            item["Key"],
                            int(item["Size"]),
                            item["LastModified"].strftime("%Y-%m-%d %H:%M:%S UTC"),
                        )
                    )
    except _botocore_errors() as exc:
        raise _explain(exc, location, "list") from exc
    return sorted(found, key=lambda r: (r.last_modified, r.key), reverse=True)


def pull_session(
    url: str, dest: Path, *, endpoint_url: str | None = None, profile: str | None = None
) -> Path:
    """Download one session file into `dest` (a folder, or a file path); returns the file.

    The download lands in a temporary file first and must be a session before it takes the
    destination name; an existing different file is never overwritten.
    """
    location = parse_s3_url(url)
    if not location.key or location.key.endswith("/"):
        raise UserError(f"{url}: name a session file (s3://bucket/prefix/NAME.jsonl), or use --list")
    name = location.key.rsplit("/", 1)[-1]
    into_folder = dest.is_dir() or str(dest).endswith(os.sep)
    if into_folder and not safe_file_name(name):
        # The key's last part becomes a file name in DEST: `..`, `.`, a backslash or a control
        # character there would write outside DEST or hide the file.
        raise UserError(
            f"{visible_line(url)}: '{visible_line(name)}' is not a plain file name; "
            "pull it to an explicit file path (DEST) instead"
        )
    target = dest / name if into_folder else dest
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    client = _client(endpoint_url, profile)
    handle, temp_name = tempfile.mkstemp(prefix=".pull-", suffix=".jsonl", dir=target.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        try:
            response = client.get_object(Bucket=location.bucket, Key=location.key)
            with open(temp, "wb") as out:
                for chunk in response["Body"].iter_chunks(1 << 20):
                    out.write(chunk)
        except _botocore_errors() as exc:
            raise _explain(exc, location, "pull") from exc
        try:
            read_header(temp)
        except UserError as exc:
            raise UserError(f"pull {location.url}: not an omniops-tui session ({exc})") from exc
        if target.exists():
            if target.read_bytes() == temp.read_bytes():
                return target
            raise UserError(f"{target}: already exists with different content; pass another DEST")
        os.replace(temp, target)
        return target
    finally:
        temp.unlink(missing_ok=True)
