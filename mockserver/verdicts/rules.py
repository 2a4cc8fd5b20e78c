"""The verdict rules: was a client's next move after a served error what the vendor asks for?

Pure functions of what the catalog says about the error (`Guidance`) and what the same
session did next on the same operation (`Attempt`s, oldest first). The order of the rules:

1. nothing later on that operation: `unknown` ("no later request");
2. a rejected credential (401, or an auth/oauth error that is not a permission refusal):
   the next call with another credential is `ok`, with the same one `bad`;
3. retryable with a wait (Retry-After): the next call before the wait is `bad`, at or
   after it `ok`;
4. retryable without a wait (5xx, gateway pages, faults): `HAMMER_RETRIES` or more calls
   within `HAMMER_WINDOW` seconds is `bad` (no backoff), fewer is `ok`;
5. not retryable (validation, permission, not-found, opted-out...): the same request sent
   again unchanged is `bad`; not repeating it, or changing it, is `ok`.

A request that is itself an unchanged repeat of a request the vendor already refused as
not retryable is `bad` whatever follows it: the refusal was the answer.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

Verdict = Literal["ok", "bad", "unknown"]
VERDICTS: Final[tuple[Verdict, ...]] = ("ok", "bad", "unknown")

# Hammering: this many retries of a retryable error that named no wait...
HAMMER_RETRIES: Final = 3
# ...all within this many seconds of the error is "no backoff" (the "≥ 3 in 1 s")
HAMMER_WINDOW: Final = 1.0
# tags of an error about the credential itself, answered by getting a new one
CREDENTIAL_TAGS: Final = frozenset({"auth", "oauth"})
# ...unless it is about what the (valid) credential may do, which a new token won't change
PERMISSION_TAG: Final = "permission"


@dataclass(frozen=True, slots=True)
class Guidance:
    """What the vendor asks of a client that got this error (from the catalog and the answer).

    Attributes:
        retryable: the catalog's `retryable`.
        status: the HTTP status answered.
        tags: the catalog entry's tags.
        wait: seconds the answer asked the client to wait (Retry-After), if it did.
    """

    retryable: bool
    status: int
    tags: tuple[str, ...] = ()
    wait: float | None = None

    @property
    def credential(self) -> bool:
        """Whether the error refuses the credential itself (expired or invalid token)."""
        if self.status == 401:
            return True
        return bool(CREDENTIAL_TAGS.intersection(self.tags)) and not (
            PERMISSION_TAG in self.tags or self.status in (403, 429) or self.retryable
        )


@dataclass(frozen=True, slots=True)
class Attempt:
    """One request: when it came, and fingerprints of the request and its credential."""

    time: float
    request: Hashable
    credential: Hashable


@dataclass(frozen=True, slots=True)
class After:
    """What the same session did on the operation after the error, as the rules need it.

    Attributes:
        next: its first later request, if any.
        quick: later requests within HAMMER_WINDOW seconds of the error.
        span: seconds from the error to the last of those.
        repeats: later requests identical to the one the error answered.
    """

    next: Attempt | None
    quick: int = 0
    span: float = 0.0
    repeats: int = 0


def after(served: Attempt, later: Sequence[Attempt]) -> After:
    """`After` from the later requests themselves, oldest first (the report counts faster)."""
    quick = [a for a in later if a.time - served.time <= HAMMER_WINDOW]
    return After(
        later[0] if later else None,
        len(quick),
        quick[-1].time - served.time if quick else 0.0,
        sum(1 for a in later if a.request == served.request),
    )


@dataclass(frozen=True, slots=True)
class Judgement:
    """A verdict and the one-line behaviour it is based on."""

    verdict: Verdict
    behaviour: str


def judge(guidance: Guidance, served: Attempt, then: After, repeat: bool = False) -> Judgement:
    """The verdict on how the client followed up the error `served` was answered with.

    Args:
        guidance: what the vendor asks after this error.
        served: the request the error answered.
        then: what the same session did next on the same operation.
        repeat: `served` itself repeated, unchanged, a request already refused as not
            retryable with the same error.
    """
    if repeat and not guidance.retryable and not guidance.credential:
        return Judgement("bad", "sent again unchanged after the vendor refused it")
    following = then.next
    if following is None:
        return Judgement("unknown", "no later request")
    if guidance.credential:
        return _credential(served, following)
    if guidance.retryable and guidance.wait is not None:
        return _waited(guidance.wait, following.time - served.time)
    if guidance.retryable:
        return _backoff(then, following.time - served.time)
    return _repeated(then.repeats)


def _credential(served: Attempt, following: Attempt) -> Judgement:
    if following.credential != served.credential:
        return Judgement("ok", "refreshed the token: the next call used a new credential")
    return Judgement("bad", "called again with the same rejected credential")


def _waited(wait: float, gap: float) -> Judgement:
    if gap < wait:
        return Judgement("bad", f"retried after {gap:.1f} s, vendor asked {wait:g} s")
    return Judgement("ok", f"waited {gap:.1f} s, vendor asked {wait:g} s")


def _backoff(then: After, gap: float) -> Judgement:
    if then.quick >= HAMMER_RETRIES:
        return Judgement("bad", f"{then.quick} retries in {then.span:.1f} s, no backoff")
    return Judgement("ok", f"backed off: next try after {gap:.1f} s")


def _repeated(repeats: int) -> Judgement:
    if repeats:
        times = "once" if repeats == 1 else f"{repeats} times"
        return Judgement("bad", f"repeated unchanged {times}")
    return Judgement("ok", "not repeated: the next request was changed")
