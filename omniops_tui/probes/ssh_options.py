"""SSH transport choices made for speed, never for trust: which cipher to ask for first.

A log firehose spent ~40 % of the event loop receiving and decrypting (issue 12): asyncssh's
first choice, chacha20-poly1305, builds cipher objects for every packet, while AES-GCM runs on
the CPU's AES instructions in one call per packet. Only the order changes: a `Ciphers` line in
the SSH config still decides what is allowed, and a server without AES-GCM still gets the rest.
"""

from __future__ import annotations

PREFERRED_CIPHERS: tuple[bytes, ...] = (b"aes256-gcm@openssh.com", b"aes128-gcm@openssh.com")


def prefer_ciphers(algs: list[bytes], preferred: tuple[bytes, ...] = PREFERRED_CIPHERS) -> list[bytes]:
    """`algs` with the preferred ones it holds first, in their order; nothing added or dropped."""
    first = [alg for alg in preferred if alg in algs]
    return first + [alg for alg in algs if alg not in first]
