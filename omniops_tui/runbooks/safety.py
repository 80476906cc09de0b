"""Every command block is read-only, changes something, or destructive; some cannot run at all.

This is what frames a block in red on screen, what the confirmation asks for before a run, and
what `--read-only` lets through. The block is split into the simple commands Bash would run
(shell_syntax), including the script a heredoc hands to `ssh production` and the SQL given to
`psql`; each is judged by the tables below and the block takes the worst verdict:

- read-only: reads and shows (curl GET, kubectl get, ps, df, tail, git log, psql -c 'SELECT …');
- changes: restarts, deploys, migrations, file writes, and any command these tables do not know;
- destructive: the document's red commands (drop, delete, rm, --force, TRUNCATE, restore, flush,
  down, stop, terminate …); any of these words in SQL anywhere in the block also counts, so a
  misparsed block errs on the side of red.

Blocks that would hang waiting for a person (`psql` without -c, `ssh HOST` without a command,
editors, pagers, `top` without -b, `read`) are `interactive`: refused with a one-line reason.
Text blocks (output samples, templates) are not commands at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from omniops_tui.runbooks.safety_rules import (
    DESTRUCTIVE_ARGUMENT,
    DESTRUCTIVE_COMMANDS,
    HOST_SIDE,
    INTERACTIVE,
    LONG_RUNNING,
    READ_ONLY_COMMANDS,
    READ_ONLY_FORMS,
    READ_ONLY_SUBCOMMANDS,
    SQL_COPY_OUT,
    SQL_DESTRUCTIVE,
    SQL_KEYWORDS,
    SQL_READ_ONLY,
)
from omniops_tui.runbooks.shell_syntax import SimpleCommand, simple_commands, ssh_remote_command

Safety = Literal["read-only", "changes", "destructive"]
SAFETY_ORDER: dict[str, int] = {"read-only": 0, "changes": 1, "destructive": 2}
SHELL_LANGUAGES = frozenset({"bash", "sh", "shell", "zsh", "console", "shell-session"})


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one simple command does."""

    command: str
    line: int
    where: str
    safety: Safety
    why: str


@dataclass(frozen=True, slots=True)
class Classification:
    """A whole block: its class, why, whether it can run at all, and each command's verdict."""

    safety: Safety
    reason: str
    verdicts: tuple[Verdict, ...] = ()
    interactive: str = ""  # the one-line refusal for a command that waits for a person
    not_a_command: str = ""  # why a text block cannot run
    long_running: bool = False  # tail -f, watch, logs -f: runs until interrupted
    remote_hosts: tuple[str, ...] = ()  # hosts the block reaches itself (ssh, rsync …)
    host_side: bool = False  # every command is one a server answers (pm2, df …): a host target fits

    @property
    def destructive(self) -> bool:
        return self.safety == "destructive"

    @property
    def refusal(self) -> str:
        """Why it cannot run ("" when it can)."""
        return self.not_a_command or self.interactive


def classify(code: str, language: str = "bash") -> Classification:
    """Classify a command block (`language` is its fence's info string)."""
    if language.strip().lower() not in SHELL_LANGUAGES:
        what = f"a {language} block" if language else "a text block (an output sample or a template)"
        sql = SQL_DESTRUCTIVE.search(code)
        return Classification(
            "destructive" if sql else "read-only",
            f"destructive: {sql.group(0)}" if sql else "not a command",
            not_a_command=f"{what}, not a command; copy it instead",
        )
    verdicts: list[Verdict] = []
    interactive = ""
    long_running = False
    for command in simple_commands(code):
        safety, why = judge(command)
        verdicts.append(Verdict(command.text, command.line, command.where, safety, why))
        interactive = interactive or _interactive(command)
        long_running = long_running or bool(LONG_RUNNING.match(" ".join(command.argv)))
    floor = SQL_DESTRUCTIVE.search(code)
    if floor and not any(v.safety == "destructive" for v in verdicts):
        line = code.count("\n", 0, floor.start()) + 1
        verdicts.append(Verdict(floor.group(0), line, "local", "destructive", f"SQL {floor.group(0)}"))
    if not verdicts:
        return Classification("read-only", "nothing to run", not_a_command="only comments; nothing to run")
    worst = max(verdicts, key=lambda v: SAFETY_ORDER[v.safety])
    reason = f"{worst.safety}: {worst.why} (line {worst.line}: {worst.command[:60]})"
    if worst.safety == "read-only":
        reason = "read-only: every command only reads"
    remote = tuple(dict.fromkeys(v.where.split(":", 1)[1] for v in verdicts if v.where.startswith("ssh:")))
    local_names = [c.split(" ", 1)[0] for c in (v.command for v in verdicts if v.where == "local")]
    return Classification(
        worst.safety,
        reason,
        tuple(verdicts),
        interactive=f"interactive: {interactive}; copy it instead" if interactive else "",
        long_running=long_running,
        remote_hosts=remote,
        host_side=bool(local_names) and not remote and all(n in HOST_SIDE for n in local_names),
    )


def classify_block(block: object) -> Classification:
    """Classify a runbook `CommandBlock` (anything with `code` and `language`)."""
    return classify(getattr(block, "code", ""), getattr(block, "language", "bash"))


def judge(command: SimpleCommand) -> tuple[Safety, str]:
    """One simple command's class and a few words saying why."""
    name, args = command.name, " ".join(command.args)
    writes = [w for w in command.writes if w]
    if name in SQL_KEYWORDS:
        return sql_safety(" ".join(command.argv))
    if name == ">":
        return "changes", f"writes {', '.join(writes)}"
    for pattern_name, pattern, why in DESTRUCTIVE_COMMANDS:
        if name == pattern_name and (not pattern or re.search(pattern, args)):
            return "destructive", f"{name} {why}"
    if DESTRUCTIVE_ARGUMENT.search(args):
        return "destructive", f"{name} with {DESTRUCTIVE_ARGUMENT.search(args).group(2)}"  # type: ignore[union-attr]
    safety, why = _reads(command)
    if safety == "read-only" and writes:
        return "changes", f"writes {', '.join(writes)}"
    return safety, why


def sql_safety(sql: str) -> tuple[Safety, str]:
    """SQL given to psql: destructive statements, read-only ones, and the rest (changes)."""
    found = SQL_DESTRUCTIVE.search(sql)
    if found:
        return "destructive", f"SQL {found.group(0).strip()}"
    statements = [s for s in _sql_statements(sql) if s]
    changing = [
        s for s in statements if not (SQL_READ_ONLY.match(s) or SQL_COPY_OUT.match(s) or s.startswith("\\"))
    ]
    if changing:
        return "changes", f"SQL {' '.join(changing[0].split()[:2])}"
    return "read-only", "SQL that only reads"


def _sql_statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    text = "\n".join(line.split(" --", 1)[0] for line in lines)
    out: list[str] = []
    for part in text.split(";"):
        for piece in re.split(r"(?m)^\s*(?=\\)", part):  # psql meta-commands (\timing) stand alone
            if piece.strip():
                out.append(
                    piece.strip().split("\n", 1)[0] if piece.strip().startswith("\\") else piece.strip()
                )
    return out


def _reads(command: SimpleCommand) -> tuple[Safety, str]:
    name, argv = command.name, command.argv
    joined = " ".join(command.args)
    if name in READ_ONLY_COMMANDS or (name.startswith("$") and len(argv) == 1):
        return ("read-only", f"{name} reads") if name != "sed" else ("changes", "sed")
    if name == "sed":
        return (
            ("changes", "sed -i edits files")
            if re.search(r"(^|\s)-i", joined)
            else ("read-only", "sed reads")
        )
    sub = next((a for a in argv[1:] if not a.startswith("-")), "")
    if READ_ONLY_FORMS.match(" ".join(argv)):
        return "read-only", f"{name} {sub} reads"
    if name in READ_ONLY_SUBCOMMANDS:
        if name == "git" and sub == "tag" and not re.search(r"(^|\s)-[adfsm]\b|(^|\s)-[a-z]*[adfsm]", joined):
            return "read-only", "git tag lists"
        if sub in READ_ONLY_SUBCOMMANDS[name]:
            return "read-only", f"{name} {sub} reads"
        return "changes", f"{name} {sub}".strip()
    if name == "npx" and "tsc" in argv and "--noEmit" in argv:
        return "read-only", "type checking reads"
    if name == "top":
        return ("read-only", "top -b reads") if "b" in joined.replace("-", "") else ("changes", "top")
    if name == "curl":
        return _curl(joined)
    if name == "psql":
        return _psql(command)
    if name == "redis-cli":
        return _redis(command.args)
    if name == "ssh":
        return (
            ("read-only", "ssh runs the command judged next")
            if ssh_remote_command(argv) or command.stdin
            else (
                "changes",
                "ssh login",
            )
        )
    if name == "watch":
        inner = [
            c
            for c in simple_commands(
                " ".join(a for a in command.args if not a.startswith("-") and not a.isdigit())
            )
        ]
        worst = max(
            (judge(c) for c in inner), key=lambda v: SAFETY_ORDER[v[0]], default=("read-only", "watch")
        )
        return worst[0], f"watch {worst[1]}"
    if name == "nginx":
        return ("read-only", "nginx -t tests") if "-t" in argv else ("changes", "nginx reload")
    if name == "openssl":
        return (
            ("read-only", "openssl reads")
            if sub in ("s_client", "x509", "version")
            else ("changes", "openssl")
        )
    if name == "aws" and re.search(r"(^|\s)(describe|list|get)-", joined):
        return "read-only", "aws lists"
    if name == "pg_restore":
        return "read-only", "pg_restore --list reads"
    if name == "pg_dump":
        return "read-only", "pg_dump reads the database"
    return "changes", f"{name} (not known to only read)" if name else "changes"


def _curl(args: str) -> tuple[Safety, str]:
    method = re.search(r"(?:-X|--request)\s*([A-Za-z]+)", args)
    verb = (
        method.group(1).upper()
        if method
        else (
            "POST" if re.search(r"(^|\s)(-d|--data\S*|-F|--form|--json|-T|--upload-file)\b", args) else "GET"
        )
    )
    if verb not in ("GET", "HEAD"):
        return "changes", f"curl {verb}"
    if re.search(r"(^|\s)(-o|--output)\s+(?!/dev/null)\S", args) or re.search(r"(^|\s)-O\b", args):
        return "changes", "curl writes a file"
    return "read-only", "curl GET"


def _psql(command: SimpleCommand) -> tuple[Safety, str]:
    argv = list(command.argv)
    for flag in ("-c", "--command"):
        if flag in argv[1:-1]:
            return sql_safety(argv[argv.index(flag) + 1])
    inline = next((a.split("=", 1)[1] for a in argv if a.startswith("--command=")), None)
    if inline is not None:
        return sql_safety(inline)
    if command.stdin and not command.stdin.startswith("<"):
        return sql_safety(command.stdin)
    return "changes", "psql runs a script"


def _redis(args: tuple[str, ...]) -> tuple[Safety, str]:
    words = list(args)
    while words and words[0].startswith("-"):
        flag = words.pop(0)
        if flag in ("-h", "-p", "-a", "-u", "-n", "--user", "--pass") and words:
            words.pop(0)
    if not words:
        return "read-only", "redis-cli"
    verb = words[0].upper()
    reads = {
        "PING",
        "INFO",
        "GET",
        "MGET",
        "TTL",
        "PTTL",
        "KEYS",
        "SCAN",
        "DBSIZE",
        "EXISTS",
        "TYPE",
        "STRLEN",
    }
    reads |= {"LLEN", "LRANGE", "HGET", "HGETALL", "SCARD", "SMEMBERS", "ZCARD", "ZRANGE", "MEMORY", "CLIENT"}
    if verb in reads or (verb == "SLOWLOG" and len(words) > 1 and words[1].upper() == "GET"):
        return "read-only", f"redis {verb} reads"
    return "changes", f"redis {verb}"


def _interactive(command: SimpleCommand) -> str:
    """Why this command would wait for a person ("" when it would not)."""
    name, argv = command.name, command.argv
    if name in INTERACTIVE:
        return f"{name} {INTERACTIVE[name]}"
    has_stdin = command.stdin is not None
    if (
        name == "psql"
        and not has_stdin
        and not any(
            a in ("-c", "--command", "-f", "--file", "-l", "--list")
            or a.startswith(("--command=", "--file="))
            for a in argv
        )
    ):
        return "psql without -c opens an SQL shell"
    if name == "ssh" and not has_stdin and not ssh_remote_command(argv):
        return "ssh without a command opens a login shell on another host"
    if name == "top" and "b" not in "".join(a.lstrip("-") for a in argv[1:] if a.startswith("-")):
        return "top without -b is a full-screen monitor"
    if name == "redis-cli" and not has_stdin and _redis(command.args)[1] == "redis-cli":
        return "redis-cli without a command opens a Redis shell"
    if name == "pm2" and "monit" in argv:
        return "pm2 monit is a full-screen monitor"
    if name in ("docker", "kubectl") and "exec" in argv and any(a in ("-it", "-ti", "-i") for a in argv):
        return f"{name} exec -it opens a shell"
    if name in ("vercel", "supabase", "gh") and "login" in argv:
        return f"{name} login asks for credentials"
    if name == "npx" and any("wizard" in a for a in argv):
        return "a setup wizard asks questions"
    return ""
