"""Confirmation rules: one key, named targets, the environment's name typed in full; modes refuse."""

from __future__ import annotations

import pytest

from omniops_tui.core.errors import UserError
from omniops_tui.live.run_policy import (
    Policy,
    Refused,
    Target,
    confirmation_for,
    headless_confirmation,
    parse_target,
    plan_run,
    targets,
)
from omniops_tui.runbooks.placeholders import substitute_for
from omniops_tui.runbooks.safety import classify
from tests.runner.conftest import SANDBOX_LIKE, config_of


def plan(code: str, *, mode_toml: str = "", read_only: bool = False, target: str = "all", typed=None):  # type: ignore[no-untyped-def]
    config, environment = config_of(SANDBOX_LIKE + mode_toml)
    policy = Policy.of(config, environment, read_only=read_only)
    substitution = substitute_for(code, config, environment, typed=typed)
    return plan_run(substitution, classify(code), parse_target(target, environment), policy)


def test_read_only_blocks_run_after_one_key() -> None:
    p = plan("df -h && pm2 status")
    assert p.confirm == "key" and p.refusal == "" and confirmation_for(p, True) == "key"


def test_changing_blocks_name_their_targets() -> None:
    p = plan("pm2 restart omniops-app")
    assert p.confirm == "confirm" and "on prod-1, prod-2?" in p.prompt
    assert confirmation_for(p, True) == "confirmed"
    with pytest.raises(Refused):
        confirmation_for(p, False)


def test_a_destructive_block_is_refused_without_the_typed_name() -> None:
    p = plan("docker-compose down")
    assert p.confirm == "type" and p.expected == "sandbox" and "Type sandbox" in p.prompt
    for wrong in (True, "yes", "sand", " sandbox-x", ""):
        with pytest.raises(Refused, match="type sandbox in full"):
            confirmation_for(p, wrong)
    assert confirmation_for(p, "sandbox") == "typed:sandbox"


def _with_env_line(line: str) -> str:
    """The sandbox-like config with one more line in its [env.sandbox] table."""
    return SANDBOX_LIKE.replace("[[env.sandbox.hosts]]", line + "\n[[env.sandbox.hosts]]", 1)


@pytest.mark.parametrize(
    ("config_text", "flag", "reason"),
    [
        (SANDBOX_LIKE, True, "--read-only"),
        (_with_env_line('run = "read-only"'), False, '[env.sandbox] run = "read-only"'),
        ("read_only = true\n" + SANDBOX_LIKE, False, "read_only = true in the config"),
    ],
)
def test_read_only_modes_refuse_everything_but_read_only_blocks(
    config_text: str, flag: bool, reason: str
) -> None:
    config, environment = config_of(config_text)
    policy = Policy.of(config, environment, read_only=flag)
    for code, allowed in (("df -h", True), ("pm2 restart all", False), ("docker-compose down", False)):
        p = plan_run(substitute_for(code, config, environment), classify(code), Target.local(), policy)
        if allowed:
            assert p.refusal == "" and confirmation_for(p, True) == "key"
        else:
            assert p.refusal.startswith(f"read-only mode ({reason})"), p.refusal
            with pytest.raises(Refused):
                confirmation_for(p, "sandbox")


def test_run_off_refuses_everything() -> None:
    config, environment = config_of(
        SANDBOX_LIKE.replace("[[env.sandbox.hosts]]", 'run = "off"\n[[env.sandbox.hosts]]', 1)
    )
    p = plan_run(
        substitute_for("uptime", config, environment),
        classify("uptime"),
        Target.local(),
        Policy.of(config, environment),
    )
    assert 'run = "off"' in p.refusal and p.confirm == "none"


def test_interactive_and_text_blocks_are_refused() -> None:
    assert "psql without -c" in plan("psql $DATABASE_URL", target="local").refusal
    assert plan("ssh production 'docker-compose ps'", target="prod-1").refusal.startswith(
        "the block connects to"
    )


def test_an_unresolved_placeholder_needs_its_value_first() -> None:
    code = 'curl -X POST https://api.example.io/pages/PAGE_ID/incidents -H "Authorization: OAuth YOUR_TOKEN"'
    p = plan(code, target="local")
    assert p.needs == ["PAGE_ID", "YOUR_TOKEN"]
    with pytest.raises(Refused, match="needs a value first"):
        confirmation_for(p, True)
    with pytest.raises(Refused, match="--set TOKEN=VALUE"):
        headless_confirmation(p, yes=True, confirm_name=None)
    typed = plan(code, target="local", typed={"PAGE_ID": "p123", "YOUR_TOKEN": "$STATUSPAGE_TOKEN"})
    assert typed.needs == [] and "pages/p123/incidents" in typed.command
    assert confirmation_for(typed, True) == "confirmed"
    assert {"placeholder": "PAGE_ID", "value": "p123", "source": "typed"} in typed.substitution.values()


def test_headless_rules() -> None:
    assert headless_confirmation(plan("uptime"), yes=False, confirm_name=None) == "key"
    with pytest.raises(Refused, match="needs --yes"):
        headless_confirmation(plan("pm2 reload all"), yes=False, confirm_name=None)
    assert headless_confirmation(plan("pm2 reload all"), yes=True, confirm_name=None) == "--yes"
    with pytest.raises(Refused, match="--yes --confirm sandbox"):
        headless_confirmation(plan("pm2 stop all"), yes=True, confirm_name=None)
    with pytest.raises(Refused):
        headless_confirmation(plan("pm2 stop all"), yes=True, confirm_name="production")
    assert (
        headless_confirmation(plan("pm2 stop all"), yes=True, confirm_name="sandbox")
        == "--yes --confirm sandbox"
    )


def test_targets() -> None:
    _, environment = config_of(SANDBOX_LIKE)
    assert [t.label for t in targets(environment)] == ["local", "prod-1", "prod-2", "prod-1, prod-2"]
    assert parse_target("prod-2", environment) == Target("host", ("prod-2",))
    assert parse_target("prod-1,prod-2", environment).kind == "group"
    with pytest.raises(UserError, match="unknown host web-9"):
        parse_target("web-9", environment)


def test_the_run_setting_is_validated() -> None:
    with pytest.raises(UserError, match=r'env\.sandbox\.run must be "read-only", "confirm" or "off"'):
        config_of(_with_env_line('run = "always"'))
