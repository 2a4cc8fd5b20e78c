"""The one compiler for user-supplied patterns: RE2, so matching runs in linear time."""

from __future__ import annotations

import re
from typing import Protocol, cast

import re2  # type: ignore[import-untyped]


class Found(Protocol):
    """What a match is used for: that it exists."""

    def group(self, index: int = 0) -> str: ...


class Pattern(Protocol):
    """The part of a compiled pattern the matchers use."""

    def search(self, text: str) -> Found | None: ...

    def fullmatch(self, text: str) -> Found | None: ...


# constructs a backtracking engine needs; RE2 has none of them, and naming the construct
# says more than RE2's own "invalid perl operator"
_UNSUPPORTED = (
    (re.compile(r"\(\?="), "lookahead"),
    (re.compile(r"\(\?!"), "negative lookahead"),
    (re.compile(r"\(\?<="), "lookbehind"),
    (re.compile(r"\(\?<!"), "negative lookbehind"),
    (re.compile(r"\(\?>"), "an atomic group"),
    (re.compile(r"\(\?\("), "a conditional group"),
    (re.compile(r"\(\?P="), "a named backreference"),
    (re.compile(r"\\[1-9]"), "a backreference"),
    (re.compile(r"[*+?}]\+"), "a possessive quantifier"),
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def _options() -> object:
    options = re2.Options()
    options.log_errors = False  # a refused pattern is reported to the user, not to stderr
    return options


_OPTIONS = _options()


def _keep_backreference(escape: re.Match[str]) -> str:
    return escape[0] if escape[1] in "123456789" else "__"


def unsupported(pattern: str) -> str | None:
    """The construct RE2 cannot run in `pattern`, if any."""
    # escapes taken left to right: `\(?=` is a literal paren and `\\1` a literal backslash
    plain = _ESCAPE.sub(_keep_backreference, pattern)
    for finder, name in _UNSUPPORTED:
        if finder.search(plain):
            return name
    return None


def compile_linear(pattern: str) -> Pattern:
    """Compile `pattern` with RE2; raise ValueError naming the problem when it can't be."""
    construct = unsupported(pattern)
    if construct is not None:
        raise ValueError(f"{construct} is not supported: patterns run in linear time (RE2 syntax)")
    try:
        return cast(Pattern, re2.compile(pattern, _OPTIONS))
    except re2.error as err:
        detail = err.args[0] if err.args else err
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise ValueError(str(detail)) from None


def escape(text: str) -> str:
    """`text` as a pattern that matches it literally."""
    return cast(str, re2.escape(text))
