"""Password hashing with the standard library's memory-hard scrypt (RFC 7914), salted per password.

The stored form names its parameters (`scrypt$n$r$p$salt$hash`, base64) so that they can be raised later
without invalidating stored hashes. A clear password is never stored, logged or put in the audit trail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

N, R, P = 2**14, 8, 1  # 16 MiB and ~50 ms per hash: slow for a guesser, unnoticed at a login
MIN_LENGTH = 8


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def check_password(password: str, stored: str) -> bool:
    """True when `password` matches `stored`; a malformed stored hash matches nothing."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except ValueError:
        return False
    return hmac.compare_digest(got, expected)


def weakness(password: str) -> str:
    """Why a new password is refused ("" when it is acceptable)."""
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters"
    if password != password.strip():
        return "a password may not begin or end with a space"
    return ""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
