"""Credential helpers every vendor shares: HTTP Basic decoding and the strict-mode comparison."""

from __future__ import annotations

import base64
import functools
import hmac


# a client sends the same few credentials over and over, and several checks read them per
# request: decoded once each (a pure function of the header; bounded)
@functools.lru_cache(maxsize=256)
def basic_credentials(authorization: str) -> tuple[str, str] | None:
    """`(user, password)` of `Basic base64(user:password)`; parts may be empty.

    Without a colon the whole value is the user and the password is empty (clients that send
    only an id are still identified). None when the header is not Basic or not base64 of UTF-8
    text. Total: no header value, however odd (non-ASCII, surrogates), raises.
    """
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except ValueError:  # bad base64, non-ASCII input and undecodable bytes alike
        return None
    user, _, password = decoded.partition(":")
    return user, password


def basic_user(authorization: str) -> str | None:
    """The user name of a Basic credential (a session or client id), or None."""
    if not authorization:  # most requests: skip the parsing
        return None
    found = basic_credentials(authorization)
    return found[0] or None if found else None


def same(given: str, expected: str) -> bool:
    """Constant-time equality (as bytes: compare_digest refuses non-ASCII str)."""
    return hmac.compare_digest(_raw(given), _raw(expected))


def strict_ok(expected: tuple[str, str] | None, identity: str, secret: str) -> bool:
    """Strict mode: only the configured pair passes; with none configured, any pair does."""
    if expected is None:
        return True
    # `&`, not `and`: both comparisons always run, so timing doesn't say which part was wrong
    return same(identity, expected[0]) & same(secret, expected[1])


def _raw(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")
