"""The shared store's failure and how its URL is shown: importable without the Redis client."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


class StoreUnavailable(Exception):
    """Redis could not be reached or failed a call: answered as a mock-level 503."""


def redacted(url: str) -> str:
    """The URL without its password, for messages and the health endpoint."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
