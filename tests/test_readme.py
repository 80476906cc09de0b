"""The README's promises stay true: its commands match .ci/run, its keys table the bindings."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_ci_runs_the_readme_test_command() -> None:
    commands = re.findall(r"```sh\n(.+?)\n```", README)
    test_command = next(c for c in commands if "pytest" in c)
    assert test_command in (ROOT / ".ci" / "run").read_text()


def test_keys_table_is_generated_from_the_bindings() -> None:
    sys.path.insert(0, str(ROOT / "docs"))
    from keys import keys_table  # type: ignore[import-not-found]

    assert keys_table() in README, "run `.venv/bin/python docs/keys.py` and paste it into the README"


def test_config_reference_covers_every_key() -> None:
    sys.path.insert(0, str(ROOT / "docs"))
    from config_reference import reference  # type: ignore[import-not-found]

    assert reference() in README, "run `.venv/bin/python docs/config_reference.py` and paste it"


def test_screenshots_exist() -> None:
    for shot in re.findall(r"\((docs/screenshots/[^)]+\.svg)\)", README):
        assert (ROOT / shot).exists(), shot
