"""The sandbox's tiny shell, without SSH: parsing, pipelines, filters, exit statuses."""

from __future__ import annotations

from collections.abc import AsyncIterator

from omniops_tui.sandbox.shell import Shell, parse

LOG = ["b ERROR x", "a INFO y", "b ERROR x", "c WARN z", "a ERROR (q)"]


class FakeFiles:
    def read(self, path: str) -> list[str] | None:
        return list(LOG) if path == "/log" else None

    def follow(self, path: str) -> AsyncIterator[str] | None:
        async def endless() -> AsyncIterator[str]:
            n = 0
            while True:
                n += 1
                yield f"line {n} ERROR\nline {n} INFO\n"

        return endless() if path == "/log" else None


class Buffer:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.err: list[str] = []

    def write(self, text: str) -> None:
        self.out.append(text)

    def write_err(self, text: str) -> None:
        self.err.append(text)

    async def drain(self) -> None:
        return None


async def sh(command: str) -> tuple[int, str, str]:
    buffer = Buffer()
    status = await Shell({}, FakeFiles()).run(command, buffer)
    return status, "".join(buffer.out), "".join(buffer.err)


def test_parse_splits_lists_pipes_and_redirections() -> None:
    plan = parse("cd /x && a 'b | c' | grep -v d 2>/dev/null || e; f 2>&1 > /dev/null")
    assert [joiner for joiner, _ in plan] == [";", "&&", "||", ";"]
    assert plan[1][1].stages == [["a", "b | c"], ["grep", "-v", "d"]] and plan[1][1].discard_err
    assert plan[3][1].merge_err and plan[3][1].discard_out


async def test_filters() -> None:
    assert await sh("grep ERROR /log | sort | uniq -c | sort -rn") == (
        0,
        "      2 b ERROR x\n      1 a ERROR (q)\n",
        "",
    )
    assert (await sh("grep -c ERROR /log"))[1] == "3\n"
    assert (await sh("grep -E 'WARN|INFO' /log | wc -l"))[1] == "2\n"
    assert (await sh(r"grep 'WARN\|INFO' /log | wc -l"))[1] == "2\n"  # basic regex alternation
    assert (await sh("grep '(q)' /log"))[1] == "a ERROR (q)\n"  # basic regex: parentheses are literal
    assert (await sh("grep -i error /log | head -1"))[1] == "b ERROR x\n"
    assert (await sh("tail -2 /log"))[1] == "c WARN z\na ERROR (q)\n"
    assert (await sh("cat /log | tail -n 1"))[1] == "a ERROR (q)\n"
    assert (await sh("echo -n hi"))[1] == "hi"


async def test_statuses_and_errors() -> None:
    assert (await sh("grep NOPE /log"))[0] == 1
    assert (await sh("grep NOPE /missing"))[0] == 2
    status, out, err = await sh("nope 2>&1")
    assert (status, out, err) == (127, "sh: 1: nope: not found\n", "")
    assert (await sh("echo 'unbalanced"))[0] == 2
    assert (await sh("sudo echo ok"))[1] == "ok\n"


async def test_head_closes_an_endless_follow() -> None:
    status, out, _ = await sh("tail -n 0 -F /log | grep ERROR | head -3")
    assert status == 0 and out == "line 1 ERROR\nline 2 ERROR\nline 3 ERROR\n"
