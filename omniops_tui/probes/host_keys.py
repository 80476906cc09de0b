"""Why an SSH host's key was refused, in words an engineer can act on (issue 10 §6).

The check context refuses every host key known_hosts does not vouch for; this module turns the
refusal into one line: the host's fingerprint and the `ssh-keyscan` to run when the key is
simply unknown, a loud CHANGED when known_hosts holds another key for the host (no keyscan
advice: that is how a man-in-the-middle is let in), and what to set when known_hosts is `none`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class SSHHostKeyError(Exception):
    """The host's key is not in known_hosts: refused, with the fingerprint and the fix."""


class SSHHostKeyChanged(SSHHostKeyError):
    """known_hosts has another key for this host: refused, and said loudly (no keyscan advice)."""


#: An empty known_hosts (asyncssh's "trusted keys, CA keys, revoked keys" lists): trusts nothing.
#: Used when the SSH config says `UserKnownHostsFile none`, which would otherwise turn host key
#: checking off (issue 10 §6).
TRUST_NOTHING: tuple[list[Any], list[Any], list[Any]] = ([], [], [])


def host_key_error(name: str, target: str, known: Any, seen: dict[str, Any]) -> SSHHostKeyError:
    """The key was refused: CHANGED when known_hosts has another key for the host, else unknown."""
    import asyncssh

    key: asyncssh.SSHKey = seen["key"]
    fingerprint = key.get_fingerprint("sha256")
    port = seen["port"] or 22
    scan_host = seen["host"] or target
    if known is TRUST_NOTHING:
        return SSHHostKeyError(
            f"host key for {name} ({fingerprint}) cannot be verified: known_hosts is `none` "
            "(UserKnownHostsFile none in the SSH config, or known_hosts in the config); "
            "set known_hosts to a file holding the host's verified key"
        )
    where = _known_hosts_name(known)
    recorded: list[Any] = []
    try:
        recorded = list(
            asyncssh.match_known_hosts(
                known or _DEFAULT_KNOWN_HOSTS, scan_host, seen["addr"], None if port == 22 else port
            )[0]
        )
    except (OSError, ValueError, asyncssh.Error):
        recorded = []
    if recorded:
        return SSHHostKeyChanged(
            f"host key CHANGED for {name}; possible man-in-the-middle; not connecting "
            f"(it offered {fingerprint}; {where} has another key for {scan_host})"
        )
    return SSHHostKeyError(
        f"host key for {name} ({fingerprint}) is not in {where}; verify it and add it "
        f"with `ssh-keyscan -p {port} {scan_host} >> {where}`"
    )


_DEFAULT_KNOWN_HOSTS = str(Path("~/.ssh/known_hosts").expanduser())


def _known_hosts_name(known: Any) -> str:
    if isinstance(known, str):
        return known
    if isinstance(known, list | tuple) and known and isinstance(known[0], str):
        return str(known[0])
    return "~/.ssh/known_hosts"
