"""A runbook block as the simple commands Bash would run: what the safety classifier judges.

The blocks are real shell: pipelines, `&&`/`||`, loops, `$(…)`, heredocs feeding `psql` or a
remote `ssh production << 'REMOTE'` script, quoted multi-line `psql -c "…"`. tree-sitter's Bash
grammar parses them the way Bash does; this module walks the tree and returns every simple
command with its words (quotes removed), where it runs (here, or on the host an `ssh` names),
what feeds its standard input and which files it writes. A heredoc given to `ssh HOST` (or
`bash`/`sh`) is parsed again as the script it is; the one given to `psql` is kept as SQL.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from functools import lru_cache

from tree_sitter import Language, Node, Parser

SHELLS = frozenset({"bash", "sh", "zsh", "dash"})
PREFIXES = frozenset({"sudo", "time", "nohup", "nice", "command", "exec", "env", "timeout", "stdbuf"})
_VALUE_OPTIONS = {"timeout": 1, "nice": 0, "sudo": 0, "env": 0, "stdbuf": 0}
_SKIPPED_SINKS = ("/dev/null", "&1", "&2", "/dev/stdout", "/dev/stderr")


@dataclass(frozen=True, slots=True)
class SimpleCommand:
    """One command Bash would execute, with its context."""

    argv: tuple[str, ...]  # words with quotes removed, expansions as written, prefixes stripped
    text: str  # as written (one line, for messages)
    line: int  # 1-based line in the block
    where: str = "local"  # "local", or "ssh:HOST" for a command a remote script runs
    stdin: str | None = None  # a heredoc's body (or "<file") feeding it
    writes: tuple[str, ...] = ()  # files it writes with > or >>
    background: bool = False

    @property
    def name(self) -> str:
        return self.argv[0] if self.argv else ""

    @property
    def args(self) -> tuple[str, ...]:
        return self.argv[1:]


@lru_cache(maxsize=1)
def _parser() -> Parser:
    import tree_sitter_bash

    return Parser(Language(tree_sitter_bash.language()))


def simple_commands(code: str, *, where: str = "local", first_line: int = 1) -> list[SimpleCommand]:
    """Every simple command in `code`, in order (a heredoc's remote script right after its ssh)."""
    source = code.encode("utf-8")
    tree = _parser().parse(source)
    walker = _Walker(source, where, first_line)
    walker.walk(tree.root_node)
    return walker.commands


def words_of(text: str) -> list[str]:
    """Shell words of a string (quotes removed); the raw split when the quoting is unbalanced."""
    try:
        return shlex.split(text, comments=False)
    except ValueError:
        return text.split()


class _Walker:
    def __init__(self, source: bytes, where: str, first_line: int) -> None:
        self.source = source
        self.where = where
        self.first_line = first_line
        self.commands: list[SimpleCommand] = []

    def text(self, node: Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", errors="replace")

    def line(self, node: Node) -> int:
        return self.first_line + node.start_point[0]

    # ------------------------------------------------------------------ the walk
    def walk(self, node: Node, stdin: str | None = None, writes: tuple[str, ...] = ()) -> None:
        kind = node.type
        if kind == "comment" or kind == "heredoc_body":
            return
        if kind == "redirected_statement":
            self._redirected(node)
        elif kind == "command":
            self._command(node, stdin, writes)
        elif kind in ("variable_assignment", "variable_assignments", "declaration_command", "test_command"):
            self._substitutions(node)
            if kind == "test_command":
                self._emit(("[",), node)
        elif kind == "ERROR":
            self._emit(tuple(words_of(self.text(node))) or ("?",), node)
        else:
            children = node.children
            for index, child in enumerate(children):
                background = index + 1 < len(children) and children[index + 1].type == "&"
                before = len(self.commands)
                self.walk(child)
                if background and len(self.commands) > before:
                    last = self.commands[-1]
                    self.commands[-1] = SimpleCommand(
                        last.argv, last.text, last.line, last.where, last.stdin, last.writes, True
                    )

    def _redirected(self, node: Node) -> None:
        body: Node | None = None
        heredoc: str | None = None
        writes: list[str] = []
        redirects: list[Node] = []
        for child in node.children:
            if child.type in ("heredoc_redirect", "file_redirect", "herestring_redirect"):
                redirects.append(child)
            elif body is None:
                body = child
        for redirect in redirects:
            fed = self._redirect(redirect, writes)
            heredoc = heredoc if heredoc is not None else fed
        start = len(self.commands)
        if body is not None:
            self.walk(body)
        made = self.commands[start:]
        if not made:
            if writes:
                self._emit((">", *writes), node, writes=tuple(writes))
            return
        first, last = made[0], made[-1]
        self.commands[start] = _with(first, stdin=heredoc if heredoc is not None else first.stdin)
        self.commands[-1] = _with(self.commands[-1], writes=last.writes + tuple(writes))
        for redirect in redirects:
            self._heredoc_scripts(redirect, self.commands[start])

    def _redirect(self, redirect: Node, writes: list[str]) -> str | None:
        """Collect written files; return the heredoc body (or '<file') feeding stdin."""
        stdin: str | None = None
        for child in [redirect, *_descendants(redirect)]:
            if child.type == "file_redirect":
                operator = child.children[0].type if child.children else ""
                target = self.text(child.children[-1]) if len(child.children) > 1 else ""
                if operator in (">", ">>", "&>", "&>>", ">|") and not target.startswith(_SKIPPED_SINKS):
                    writes.append(target.strip("'\""))
                elif operator == "<":
                    stdin = "<" + target
            elif child.type == "heredoc_body":
                stdin = self.text(child)
                self._substitutions(child)  # an unquoted heredoc runs its $(…) here
            elif child.type == "herestring_redirect":
                stdin = self.text(child)
        return stdin

    def _heredoc_scripts(self, redirect: Node, command: SimpleCommand) -> None:
        """`ssh HOST << 'REMOTE'` and `bash << EOF`: the body is a script; walk it too."""
        body = next((c for c in _descendants(redirect) if c.type == "heredoc_body"), None)
        if body is None or not command.argv:
            return
        if command.name == "ssh":
            host = ssh_destination(command.argv)
            if host:
                script = self.text(body)
                self.commands.extend(simple_commands(script, where=f"ssh:{host}", first_line=self.line(body)))
        elif command.name in SHELLS and len(command.argv) == 1:
            self.commands.extend(
                simple_commands(self.text(body), where=self.where, first_line=self.line(body))
            )

    def _command(self, node: Node, stdin: str | None, writes: tuple[str, ...]) -> None:
        words: list[str] = []
        for child in node.children:
            if child.type in ("variable_assignment", "file_redirect", "herestring_redirect"):
                continue
            words.extend(self._word(child))
        self._substitutions(node)
        argv = strip_prefixes(words)
        if not argv:
            return
        self._emit(tuple(argv), node, stdin=stdin, writes=writes)
        if argv[0] == "ssh":
            host = ssh_destination(argv)
            remote = ssh_remote_command(argv)
            if host and remote:
                self.commands.extend(simple_commands(remote, where=f"ssh:{host}", first_line=self.line(node)))
        elif argv[0] in SHELLS and "-c" in argv[1:-1]:
            script = argv[argv.index("-c", 1) + 1]
            self.commands.extend(simple_commands(script, where=self.where, first_line=self.line(node)))

    def _word(self, node: Node) -> list[str]:
        if node.type == "command_name":
            return [self.text(node)]
        text = self.text(node)
        if node.type == "raw_string":
            return [text[1:-1]]
        if node.type == "string":
            return [text[1:-1]]
        if node.type in ("word", "number", "simple_expansion", "expansion", "command_substitution"):
            return [text]
        return words_of(text) or [text]

    def _substitutions(self, node: Node) -> None:
        """Commands inside `$(…)`/backticks anywhere under `node` run here too."""
        for child in node.children:
            if child.type in ("command_substitution", "process_substitution"):
                for inner in child.children:
                    self.walk(inner)
            elif child.type not in ("heredoc_body",) or child.children:
                self._substitutions(child)

    def _emit(
        self,
        argv: tuple[str, ...],
        node: Node,
        *,
        stdin: str | None = None,
        writes: tuple[str, ...] = (),
    ) -> None:
        text = " ".join(self.text(node).split())
        self.commands.append(SimpleCommand(argv, text[:200], self.line(node), self.where, stdin, writes))


def _descendants(node: Node) -> list[Node]:
    found: list[Node] = []
    stack = list(reversed(node.children))
    while stack:
        child = stack.pop()
        found.append(child)
        if child.type != "heredoc_body":
            stack.extend(reversed(child.children))
    return found


def _with(command: SimpleCommand, **changes: object) -> SimpleCommand:
    values = {
        "argv": command.argv,
        "text": command.text,
        "line": command.line,
        "where": command.where,
        "stdin": command.stdin,
        "writes": command.writes,
        "background": command.background,
    }
    values.update(changes)
    return SimpleCommand(**values)  # type: ignore[arg-type]


def strip_prefixes(words: list[str]) -> list[str]:
    """`sudo -E timeout 30 time psql …` → `psql …`."""
    while words and words[0] in PREFIXES:
        prefix = words.pop(0)
        while words and words[0].startswith("-"):
            words.pop(0)
        if prefix == "env":
            while words and "=" in words[0]:
                words.pop(0)
        for _ in range(_VALUE_OPTIONS.get(prefix, 0)):
            if words:
                words.pop(0)
    return words


_SSH_VALUE_FLAGS = set("bcDEeFIiJLlmOopQRSWw")


def ssh_destination(argv: tuple[str, ...] | list[str]) -> str:
    """The host of `ssh [options] [user@]HOST [command…]` ("" when there is none)."""
    index = _ssh_destination_index(argv)
    if index is None:
        return ""
    return argv[index].rsplit("@", 1)[-1]


def ssh_remote_command(argv: tuple[str, ...] | list[str]) -> str:
    """What `ssh HOST cmd …` runs remotely, joined as ssh joins it ("" for a login shell)."""
    index = _ssh_destination_index(argv)
    return " ".join(argv[index + 1 :]) if index is not None else ""


def _ssh_destination_index(argv: tuple[str, ...] | list[str]) -> int | None:
    index = 1
    while index < len(argv):
        word = argv[index]
        if word == "--":
            return index + 1 if index + 1 < len(argv) else None
        if word.startswith("-") and len(word) > 1:
            if word[-1] in _SSH_VALUE_FLAGS and len(word) == 2:
                index += 1
            index += 1
            continue
        return index
    return None
