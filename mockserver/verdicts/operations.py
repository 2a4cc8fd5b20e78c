"""What a journalled request is, for comparing: its operation and fingerprints of it and its credential."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable, Mapping
from typing import Final
from urllib.parse import parse_qsl

from mockserver.journal.entry import JournalEntry
from mockserver.journal.redaction import is_oauth, is_secret
from mockserver.vendors.base import Vendor

# a named group, whose pattern is replaced by its name; its end is found by counting parens
_NAMED = re.compile(r"\(\?P<(?P<name>\w+)>")
# what is left of a regex once groups are names: optional groups, escapes and anchors
_OPTIONAL = re.compile(r"\(\?:[^()]*\)\?")
_ESCAPE = re.compile(r"\\(.)")
FORM: Final = "application/x-www-form-urlencoded"


def template(pattern: str) -> str:
    """A route's regex as a path template: a named group becomes `{name}`.

    A named group that may match nothing (SignalWire's optional `/api/laml` prefix) and
    optional literal groups (an optional `.json`) are left out: they spell the same path.
    """
    out: list[str] = []
    at = 0
    for found in _NAMED.finditer(pattern):
        if found.start() < at:  # nested inside a group already replaced
            continue
        end = _group_end(pattern, found.start())
        inner = pattern[found.end() : end]
        out.append(pattern[at : found.start()])
        if _OPTIONAL.fullmatch(inner) is None:
            out.append("{" + found["name"] + "}")
        at = end + 1
    out.append(pattern[at:])
    return _ESCAPE.sub(r"\1", _OPTIONAL.sub("", "".join(out))).strip("^$")


def _group_end(pattern: str, start: int) -> int:
    depth = 0
    i = start
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return i
        i += 1
    return len(pattern) - 1


class Operations:
    """Names the operation of a request: method and route template, else method and path.

    Cached per (vendor, method, path): a journal repeats its paths, and finding a route
    tries each of the vendor's patterns.
    """

    def __init__(self, vendors: Mapping[str, Vendor]) -> None:
        self.vendors = vendors
        self._names: dict[tuple[str, str, str], str] = {}

    def of(self, vendor: str, method: str, path: str) -> str:
        """`"POST /2010-04-01/Accounts/{account}/Messages.json"`, say."""
        key = (vendor, method, path)
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = self._name(vendor, method, path)
        return name

    def _name(self, vendor: str, method: str, path: str) -> str:
        found = self.vendors.get(vendor)
        router = found.router() if found is not None else None
        route = router.find(method, path) if router is not None else None
        return f"{method} {template(route[0].pattern.pattern) if route else path}"


def request_fingerprint(entry: JournalEntry) -> Hashable:
    """What makes two requests "the same request unchanged": method, path, query and body.

    Compared within one report build only, so Python's own hash of the raw fields does.
    """
    return hash((entry.method, entry.path, entry.raw_query, entry.raw_body))


def credential_fingerprint(entry: JournalEntry) -> Hashable:
    """A digest of the request's credentials, to tell "same token or a new one".

    Credentials are the headers and query parameters the one redaction rule calls secret;
    only a digest leaves this function, never a token.
    """
    oauth = is_oauth(entry.path)
    # a token request carries its grant (refresh token, assertion, password) in a form body
    form = _form(entry.raw_body) if oauth and entry.content_type == FORM else ()
    secrets = sorted(
        f"{name.lower()}={value}"
        for name, value in (*entry.header_pairs(), *entry.raw_query, *form)
        if is_secret(name, oauth)
    )
    return hashlib.sha256("\0".join(secrets).encode()).hexdigest()[:16]


def _form(body: bytes) -> list[tuple[str, str]]:
    return parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
