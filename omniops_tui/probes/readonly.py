"""The read-only vocabulary: the only SSH commands a check or a log pane may run.

Checks must never change anything (issue 10 §3), so a command is not trusted because it reads
like a query: it is parsed into words, every program and option is looked up in the allow-list
below (which the code owns, not the config or a runbook folder), and the command that runs is
*re-rendered* from those words with `shlex.quote`, so nothing the remote shell would interpret
(`;`, `&&`, `$(…)`, backticks, globs, redirections) survives as syntax. Pipes between allowed
programs are kept (`tail -n 500 FILE | grep -c ERROR`).

Options are allow-listed per program because the dangerous forms of harmless-looking tools are
options: `sort -o FILE`, `uniq IN OUT`, `journalctl --vacuum-size`, `date -s`, `hostname NAME`,
`git log --output=FILE`. Anything not listed is refused with the reason.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from omniops_tui.core.status import Status


class CommandRefused(ValueError):
    """A command outside the read-only vocabulary; the message says why, in one line."""


def _any(_word: str) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Program:
    """What one program may be given: flags, options with a value, operands, subcommands."""

    flags: frozenset[str] = frozenset()
    valued: frozenset[str] = frozenset()
    operands: Callable[[str], object] | None = _any  # truthy = allowed (a bool or a Match)
    subcommands: dict[str, Program] = field(default_factory=dict)
    requires: frozenset[str] = frozenset()
    any_args: bool = False
    why: str = ""


def _p(
    flags: str = "",
    valued: str = "",
    *,
    operands: Callable[[str], object] | None = _any,
    subcommands: dict[str, Program] | None = None,
    requires: str = "",
    any_args: bool = False,
    why: str = "",
) -> Program:
    return Program(
        frozenset(flags.split()),
        frozenset(valued.split()),
        operands,
        subcommands or {},
        frozenset(requires.split()),
        any_args,
        why,
    )


_NUMBER = re.compile(r"\d+")
_COMPOSE_LOGS = _p("-f --follow -t --timestamps --no-color --no-log-prefix", "--tail -n --since --until")
_COMPOSE = {
    "ps": _p("-a --all -q --quiet --services", "--format --status"),
    "logs": _COMPOSE_LOGS,
    "top": _p(),
    "images": _p("-q --quiet"),
    "version": _p("--short", operands=None),
}
_COMPOSE_GLOBAL = "-f --file -p --project-name --project-directory"
_SYSTEMCTL_READS = ("status", "is-active", "is-enabled", "is-failed", "list-units", "list-timers", "show")
_PM2_READS = ("status", "list", "ls", "l", "jlist", "prettylist", "describe", "show")

#: The allow-list. Read-only forms only: see the module docstring for why options matter.
PROGRAMS: dict[str, Program] = {
    "uptime": _p("-p --pretty -s --since", operands=None),
    "echo": _p(any_args=True),
    "free": _p("-b -k -m -g -h -w -t -l --mebi --gibi --kibi --mega --giga --si --total", operands=None),
    "nproc": _p("--all", operands=None),
    "df": _p("-P -h -H -k -T -i -l -a --total --portability"),
    "du": _p("-s -h -k -m -a -c -x", "-d --max-depth"),
    "top": _p("-b -c -i -H -E -e", "-n -w -o -p", operands=None, requires="-b -n", why="only `top -bn1`"),
    "cat": _p("-n -A -v -E -T -s"),
    "head": _p("-q -v", "-n -c --lines --bytes"),
    "tail": _p("-f -F -q -v --retry --follow", "-n -c --lines --bytes --pid -s"),
    "grep": _p(
        "-E -F -G -P -i -v -c -n -h -H -w -x -o -q -s -l -L -r -R -a -I -z --count --invert-match "
        "--ignore-case --line-number --no-filename --with-filename --word-regexp --only-matching "
        "--quiet --silent --extended-regexp --fixed-strings",
        "-e -m -A -B -C --regexp --max-count --after-context --before-context --context",
    ),
    "wc": _p("-l -c -w -m -L --lines --bytes --words --chars"),
    "sort": _p("-r -n -h -u -f -b -V -g -M -s --reverse --numeric-sort", "-k -t --key", why="never -o"),
    "uniq": _p("-c -d -u -i --count --repeated --unique", "-f -s -w", operands=None, why="never IN OUT"),
    "ls": _p("-l -a -A -h -t -r -1 -d -S -R -i -n -F --full-time"),
    "stat": _p("-L -f -t", "-c --format"),
    "date": _p("-u -R --utc --rfc-email", "-I --iso-8601", operands=lambda w: w.startswith("+")),
    "hostname": _p("-f -s -i -I -d --fqdn --short", operands=None, why="never `hostname NAME`"),
    "whoami": _p(operands=None),
    "uname": _p("-a -r -s -m -n -v -o -p -i", operands=None),
    "ps": _p(any_args=True),
    "vmstat": _p("-a -f -m -s -d -D -t -w -y -n", "-S -p", operands=_NUMBER.fullmatch),
    "mpstat": _p("-u -A -T", "-P -I -o", operands=_NUMBER.fullmatch),
    "iostat": _p("-x -d -c -k -m -h -t -y -z -N", "-p -o"),
    "ss": _p("-t -u -l -n -p -a -s -x -4 -6 -e -m -i -o -H -w -r"),
    "netstat": _p("-t -u -l -n -p -a -s -r -i -e -W"),
    "pg_isready": _p("-q", "-h -p -U -d -t --host --port --username --dbname --timeout", operands=None),
    "systemctl": _p(
        "--no-pager -l --full -a --all -q --quiet --failed --value --plain --no-legend",
        "-n --lines -p --property -t --type --state",
        subcommands={name: _p() for name in _SYSTEMCTL_READS},
    ),
    "journalctl": _p(
        "-f --follow --no-pager -k -r -x -q -b --quiet --no-hostname --reverse --utc",
        "-u --unit -n --lines -S --since -U --until -p --priority -o --output -t --identifier -g --grep",
        operands=None,
        why="never --vacuum, --rotate or --cursor-file",
    ),
    "docker-compose": _p(valued=_COMPOSE_GLOBAL, subcommands=_COMPOSE),
    "docker": _p(
        subcommands={
            "ps": _p("-a --all -q --quiet --no-trunc -s --size", "-f --filter --format -n --last"),
            "logs": _p("-f --follow -t --timestamps --details", "--tail -n --since --until"),
            "stats": _p("--no-stream --no-trunc -a --all", "--format"),
            "inspect": _p("-s --size", "-f --format --type"),
            "top": _p(),
            "images": _p("-a --all -q --quiet", "-f --filter --format"),
            "version": _p(operands=None),
            "info": _p(operands=None),
            "compose": _p(valued=_COMPOSE_GLOBAL, subcommands=_COMPOSE),
        }
    ),
    "pm2": _p(
        subcommands={
            **{name: _p() for name in _PM2_READS},
            "logs": _p("--raw --nostream --err --out --timestamp --json --format", "--lines"),
        }
    ),
    "git": _p(
        subcommands={
            "rev-parse": _p("--short --abbrev-ref --verify"),
            "log": _p("--oneline --decorate --no-decorate", "-n --max-count --format --pretty --since"),
        },
        operands=None,
        why="only `git rev-parse` and `git log` (no --output)",
    ),
}

PIPE = "|"
JOINERS = (";", "&&", "||")
_SHELL_PUNCTUATION = set("();<>|&")

Pipeline = tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class ReadOnlyCommand:
    """A command that passed the allow-list: pipelines of words, joined by `;`, `&&` or `||`.

    Sequencing read-only commands is read-only (`cat /proc/loadavg; nproc`); what runs is
    rebuilt from the words, operators raw and every word quoted.
    """

    pipelines: tuple[Pipeline, ...]
    joiners: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The command line that runs: every word quoted, stages joined by ` | `."""
        parts = [self._pipeline_text(self.pipelines[0])]
        for joiner, pipeline in zip(self.joiners, self.pipelines[1:], strict=True):
            parts.append(("; " if joiner == ";" else f" {joiner} ") + self._pipeline_text(pipeline))
        return "".join(parts)

    @staticmethod
    def _pipeline_text(pipeline: Pipeline) -> str:
        return " | ".join(" ".join(_quote(word) for word in stage) for stage in pipeline)

    @property
    def programs(self) -> list[str]:
        return [stage[0] for pipeline in self.pipelines for stage in pipeline]

    def __str__(self) -> str:
        return self.text


def _quote(word: str) -> str:
    """shlex.quote, except that a leading `~/` stays a home directory."""
    if word.startswith("~/") and len(word) > 2:
        return "~/" + shlex.quote(word[2:])
    return shlex.quote(word)


def split_words(command: str) -> list[str]:
    """Words as a POSIX shell would split them; shell operators come out as their own words."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError as exc:
        raise CommandRefused(f"cannot parse `{command}`: {exc}") from exc


def parse_readonly(command: str, render: Callable[[str], str] | None = None) -> ReadOnlyCommand:
    """`command` as a `ReadOnlyCommand`, or `CommandRefused` saying why not.

    Operators are told apart from words *before* `render` substitutes variables (`{log}`,
    `{host}` …) inside each word, so a value is always one word (a path with spaces, or even
    `; rm -rf /`, stays one quoted argument); the result is checked again.
    """
    pipelines: list[list[list[str]]] = [[[]]]
    joiners: list[str] = []
    for word in split_words(command):
        if not _is_operator(word):
            pipelines[-1][-1].append(render(word) if render is not None else word)
        elif word == PIPE:
            pipelines[-1].append([])
        elif word in JOINERS:
            joiners.append(word)
            pipelines.append([[]])
        else:
            raise CommandRefused(
                f"`{word}` in `{command}`: checks run read-only commands, joined only by "
                "`|`, `;`, `&&` or `||` (no redirection, background or subshell)"
            )
    problem = _problem([stage for pipeline in pipelines for stage in pipeline])
    if problem:
        raise CommandRefused(f"`{command}`: {problem}")
    return ReadOnlyCommand(
        tuple(tuple(tuple(stage) for stage in pipeline) for pipeline in pipelines), tuple(joiners)
    )


def readonly_command(*stages: Sequence[str]) -> ReadOnlyCommand:
    """A pipeline built by the code from words, checked all the same (words are never split)."""
    problem = _problem([list(stage) for stage in stages])
    if problem:
        raise CommandRefused(f"`{' | '.join(shlex.join(stage) for stage in stages)}`: {problem}")
    return ReadOnlyCommand((tuple(tuple(stage) for stage in stages),))


def _problem(stages: list[list[str]]) -> str:
    if any(not stage for stage in stages):
        return "empty command (or a dangling operator)"
    return next((p for p in (_stage_problem(stage) for stage in stages) if p), "")


def _is_operator(word: str) -> bool:
    return bool(word) and set(word) <= _SHELL_PUNCTUATION


def _stage_problem(words: list[str]) -> str:
    if not words:
        return "empty command"
    name = words[0]
    if "/" in name:
        return f"name the program, not a path ({name})"
    program = PROGRAMS.get(name)
    if program is None:
        return f"{name} is not on the read-only allow-list ({', '.join(sorted(PROGRAMS))})"
    return _args_problem(name, program, words[1:])


def _args_problem(name: str, program: Program, args: list[str]) -> str:
    if program.any_args:
        return ""
    seen: set[str] = set()
    index = 0
    options_done = False
    while index < len(args):
        word = args[index]
        index += 1
        if word == "--" and not options_done and not program.subcommands:
            options_done = True
            continue
        if not options_done and word.startswith("-") and word != "-" and not _NUMBER.fullmatch(word[1:]):
            used, index, problem = _option(name, program, word, args, index)
            if problem:
                return problem
            seen |= used
            continue
        if program.subcommands:
            sub = program.subcommands.get(word)
            if sub is None:
                return f"`{name} {word}` is not read-only (allowed: {', '.join(program.subcommands)})"
            # Options may follow the subcommand: `systemctl status nginx --no-pager`.
            merged = replace(sub, flags=sub.flags | program.flags, valued=sub.valued | program.valued)
            return _args_problem(f"{name} {word}", merged, args[index:])
        if program.operands is None or not program.operands(word):
            why = f" ({program.why})" if program.why else ""
            return f"`{name}` takes no argument `{word}` here{why}"
    if program.subcommands:
        return f"`{name}` needs one of: {', '.join(program.subcommands)}"
    missing = program.requires - seen
    if missing:
        return f"`{name}` needs {' '.join(sorted(missing))}" + (f" ({program.why})" if program.why else "")
    return ""


def _option(name: str, program: Program, word: str, args: list[str], index: int) -> tuple[set[str], int, str]:
    """(options used, next index, problem) for one option word: `--lines=5`, `-n 5`, `-bn1`."""
    refused = f"`{name} {word}` is not allowed" + (f" ({program.why})" if program.why else "")
    if word.startswith("--"):
        option, has_value, _value = word.partition("=")
        if option in program.flags and not has_value:
            return {option}, index, ""
        if option in program.valued:
            if not has_value:
                if index >= len(args):
                    return set(), index, f"`{name} {option}` needs a value"
                index += 1
            return {option}, index, ""
        return set(), index, refused
    used: set[str] = set()
    for position, letter in enumerate(word[1:], 1):
        option = f"-{letter}"
        if option in program.flags:
            used.add(option)
            continue
        if option in program.valued:
            used.add(option)
            if position == len(word) - 1:  # the value is the next word
                if index >= len(args):
                    return used, index, f"`{name} {option}` needs a value"
                index += 1
            return used, index, ""
        return used, index, refused
    return used, index, ""


def refusal(command: str) -> str | None:
    """Why `command` is refused, or None when it is read-only (for validation messages)."""
    try:
        parse_readonly(command)
    except CommandRefused as exc:
        return str(exc)
    return None


# ------------------------------------------------------------------------------ HTTP
READ_METHODS = ("GET", "HEAD")
SMOKE_TEST_METHODS = ("POST",)


def method_problem(method: str, *, smoke_test: bool) -> str | None:
    """Why an HTTP check may not use `method`, or None: GET and HEAD always; POST only for a
    smoke test declared with `smoke_test = true` (an endpoint that answers without changing
    anything, like the runbooks' /api/chat); never PUT, PATCH, DELETE or anything else."""
    upper = method.upper()
    if upper in READ_METHODS:
        return None
    if upper in SMOKE_TEST_METHODS:
        if smoke_test:
            return None
        return f"method {upper} needs smoke_test = true (a declared smoke test that changes nothing)"
    return f"method {upper} is not allowed: checks only read (GET, HEAD; POST for declared smoke tests)"


def http_gate(method: str, *, smoke_test: bool, read_only: bool) -> tuple[Status, str, str] | None:
    """(status, summary, answer) when an HTTP check's request must not be sent, else None:
    a method checks may not use is refused (error); a smoke-test POST under `--read-only` /
    `read_only = true` is not run (unknown: nothing was learned, nothing failed)."""
    problem = method_problem(method, smoke_test=smoke_test)
    if problem is not None:
        return "error", f"refused: {problem}", "not sent"
    if method.upper() not in READ_METHODS and read_only:
        return (
            "unknown",
            f"not run: read-only (a {method.upper()} smoke test)",
            "not sent: --read-only / read_only = true allow GET and HEAD only",
        )
    return None
