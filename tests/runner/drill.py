"""A small team runbook for the run tests: one block per case (class, placeholder, long-running,
interactive, bound ticks), with its runs.toml beside it."""

from __future__ import annotations

from pathlib import Path

DRILL_MD = """\
# Drill runbooks

## 1. Run Drill

### Steps

**1. Say hello**

```bash
echo "hello from $(basename "$PWD")"
```

**2. Check the domain**

```bash
echo "would check https://yourdomain.com/api/health"
```

**3. Restart the app**

```bash
pm2 restart omniops-app
```

**4. Wipe the scratch folder**

```bash
rm -rf ./scratch-that-is-not-there
```

**5. Follow**

```bash
echo following; tail -f /dev/null
```

**6. Database shell**

```bash
psql $PRODUCTION_DATABASE_URL
```

**7. Run the tests**

```bash
echo tests-ok
```

**8. Prepare and test**

```bash
echo preparing
echo tests-ok
```

**9. Flood**

```bash
yes | head -n 100000
```

**10. Endless flood**

```bash
yes "$(printf '%099d' 7)"
```

**11. Hostile output**

```bash
printf 'a\\033]52;c;eA==\\007b [/x] [@click=app.quit]\\n'
```

### Checklist

- [ ] Tests pass (`echo tests-ok`)
- [ ] Release notes written
"""

RUNS_TOML = """\
version = 1

[[tick]]
item = "run-drill/checklist/tests-pass-echo-tests-ok"
command = "echo tests-ok"
"""

RUNBOOK = "run-drill"
TESTS_ITEM = "run-drill/checklist/tests-pass-echo-tests-ok"
NOTES_ITEM = "run-drill/checklist/release-notes-written"


def block(step: str) -> str:
    """`run-drill/step-3-restart-the-app/code-1` for "step-3-restart-the-app"."""
    return f"{RUNBOOK}/{step}/code-1"


def write_drill(folder: Path) -> Path:
    """The drill runbook and its runs.toml in `folder`; returns the runbook's path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "runs.toml").write_text(RUNS_TOML, encoding="utf-8")
    path = folder / "drill.md"
    path.write_text(DRILL_MD, encoding="utf-8")
    return path
