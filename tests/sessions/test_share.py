"""push/pull round trip through a real S3 API (moto's threaded server on loopback)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from omniops_tui.cli import main
from omniops_tui.core.errors import UserError
from omniops_tui.sessions.reader import read_session
from omniops_tui.sessions.share import list_remote, parse_s3_url, pull_session, push_session
from tests.sessions.conftest import Recorded

BUCKET = "team-sessions"


@pytest.fixture
def aws_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials through the usual chain (environment); no real AWS config is read."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def endpoint(aws_env: None) -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=url, region_name="us-east-1").create_bucket(Bucket=BUCKET)
    try:
        yield url
    finally:
        server.stop()


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The real entry point, as a shell would run it: (exit code, stdout, stderr)."""
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_push_list_pull_round_trip(
    incident: Recorded, endpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = incident.path.name
    code, out, err = run(
        ["sessions", "push", str(incident.path), f"s3://{BUCKET}/oncall", "--endpoint-url", endpoint], capsys
    )
    assert (code, err) == (0, "") and out == f"pushed {name} to s3://{BUCKET}/oncall/{name}\n"
    code, out, _ = run(
        ["sessions", "pull", f"s3://{BUCKET}/oncall", "--list", "--endpoint-url", endpoint], capsys
    )
    assert code == 0 and out.startswith(name) and f"oncall/{name}" in out
    assert str(incident.path.stat().st_size) in out

    team_dir = tmp_path / "team-sessions"
    code, out, err = run(
        [
            "--sessions-dir",
            str(team_dir),
            "sessions",
            "pull",
            f"s3://{BUCKET}/oncall/{name}",
            "--endpoint-url",
            endpoint,
        ],
        capsys,
    )
    assert code == 0, err
    pulled = team_dir / name
    assert out == f"pulled s3://{BUCKET}/oncall/{name} to {pulled}\n"
    assert pulled.read_bytes() == incident.path.read_bytes()
    assert read_session(pulled).events == read_session(incident.path).events
    # Pulling the same file again is a no-op; into an explicit file path works too.
    assert pull_session(f"s3://{BUCKET}/oncall/{name}", team_dir, endpoint_url=endpoint) == pulled
    other = pull_session(f"s3://{BUCKET}/oncall/{name}", tmp_path / "copy.jsonl", endpoint_url=endpoint)
    assert other == tmp_path / "copy.jsonl" and other.read_bytes() == pulled.read_bytes()
    assert [r.name for r in list_remote(f"s3://{BUCKET}/", endpoint_url=endpoint)] == []  # not recursive
    assert not list(team_dir.glob(".pull-*"))  # no temporary leftovers


def test_errors_are_one_line_and_exit_2(
    incident: Recorded,
    endpoint: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cases = [
        (
            ["sessions", "push", str(incident.path), "s3://no-such-bucket/x", "--endpoint-url", endpoint],
            "bucket 'no-such-bucket' does not exist",
        ),
        (
            [
                "sessions",
                "pull",
                f"s3://{BUCKET}/oncall/missing.jsonl",
                str(tmp_path),
                "--endpoint-url",
                endpoint,
            ],
            f"pull s3://{BUCKET}/oncall/missing.jsonl: no such object in bucket '{BUCKET}'",
        ),
        (
            ["sessions", "pull", "s3://no-such-bucket/x/a.jsonl", str(tmp_path), "--endpoint-url", endpoint],
            "bucket 'no-such-bucket' does not exist",
        ),
        (
            ["sessions", "pull", "s3://no-such-bucket/x", "--list", "--endpoint-url", endpoint],
            "bucket 'no-such-bucket' does not exist",
        ),
        (
            ["sessions", "push", str(incident.path), "https://example.com/bucket"],
            "https://example.com/bucket: not an S3 URL; use s3://bucket/prefix",
        ),
        (["sessions", "pull", "bucket/prefix/a.jsonl"], "not an S3 URL"),
        (["sessions", "pull", f"s3://{BUCKET}/oncall/", str(tmp_path)], "name a session file"),
        (["sessions", "push", str(tmp_path / "absent.jsonl"), f"s3://{BUCKET}/x"], "no such session file"),
        (
            ["sessions", "push", str(incident.path), f"s3://{BUCKET}/x", "--profile", "nobody"],
            "AWS profile 'nobody' not found",
        ),
    ]
    for args, message in cases:
        code, out, err = run(args, capsys)
        assert code == 2, (args, out, err)
        assert err.startswith("omniops-tui: error: ") and message in err, (args, err)
        assert err.count("\n") == 1 and "Traceback" not in err
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, _, err = run(
        ["sessions", "push", str(incident.path), f"s3://{BUCKET}/x", "--endpoint-url", endpoint], capsys
    )
    assert code == 2 and "no AWS credentials found" in err and err.count("\n") == 1


def test_pull_refuses_non_sessions_and_never_overwrites(
    incident: Recorded, endpoint: str, tmp_path: Path
) -> None:
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.put_object(Bucket=BUCKET, Key="oncall/notes.jsonl", Body=b"just some text\n")
    with pytest.raises(UserError, match="not an omniops-tui session"):
        pull_session(f"s3://{BUCKET}/oncall/notes.jsonl", tmp_path, endpoint_url=endpoint)
    assert not (tmp_path / "notes.jsonl").exists()
    push_session(incident.path, f"s3://{BUCKET}/oncall", endpoint_url=endpoint)
    clash = tmp_path / incident.path.name
    clash.write_text("something else\n")
    with pytest.raises(UserError, match="already exists with different content"):
        pull_session(f"s3://{BUCKET}/oncall/{incident.path.name}", tmp_path, endpoint_url=endpoint)
    assert clash.read_text() == "something else\n"
    not_session = tmp_path / "plain.jsonl"
    not_session.write_text("{}\n")
    with pytest.raises(UserError, match="not an omniops-tui session"):
        push_session(not_session, f"s3://{BUCKET}/oncall", endpoint_url=endpoint)


def test_s3_urls_are_parsed_strictly() -> None:
    assert parse_s3_url("s3://b/p/q").key == "p/q" and parse_s3_url("s3://b").key == ""
    assert parse_s3_url("s3://b/p").child("x.jsonl").url == "s3://b/p/x.jsonl"
    for bad in ("s3:/b/p", "s3:///p", "file:///tmp/x", "s3://b/p?versionId=1"):
        with pytest.raises(UserError):
            parse_s3_url(bad)
