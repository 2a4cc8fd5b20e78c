"""Trigger semantics, pure: whether a rule fires for its n-th request, which step, what delay."""

from __future__ import annotations

import hashlib

from mockserver.scenarios.model import Active, Delay, Rule, Step, action_kind


def unit(seed: str, stream: str, n: int) -> float:
    """The n-th uniform draw in [0, 1) of a seeded stream.

    Counter-based (a hash of seed, stream and n), so the whole RNG state is the request
    count the store already keeps, and the same seed gives the same draws in any process.
    """
    digest = hashlib.blake2b(f"{seed}/{stream}/{n}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def gate(spec: Rule, seed: str, seen: int, fired: int) -> bool:
    """Whether the rule fires for its `seen`-th counted request, having fired `fired` times.

    Applies times, after, every and probability, in that order (see docs/scenarios.md).
    """
    if spec.times is not None and fired >= spec.times:
        return False
    after = spec.after or 0
    if seen <= after:
        return False
    eligible = seen - after
    if spec.every is not None and eligible % spec.every:
        return False
    return spec.probability is None or unit(seed, "fire", eligible) < spec.probability


def fired_notes(spec: Rule, seed_label: str, seen: int, fired: int) -> list[str]:
    """The trigger state of a firing, in words (`times 2/3`, `every 2 (request 4)`...)."""
    after = spec.after or 0
    notes = []
    if spec.times is not None:
        notes.append(f"times {fired + 1}/{spec.times}")
    if spec.after is not None:
        notes.append(f"after {after} (request {seen})")
    if spec.every is not None:
        notes.append(f"every {spec.every} (request {seen - after})")
    if spec.probability is not None:
        notes.append(f"probability {spec.probability:g} ({seed_label}) fired")
    return notes


def select_step(spec: Rule, steps: tuple[Step, ...], then: Step, fired: int) -> tuple[Step, str]:
    """The step for the (fired+1)-th firing: sequence position, cycle, or `then`.

    Args:
        spec: the rule.
        steps: its steps (`Rule.steps()`, precomputed).
        then: its `then` step (passthrough when not given).
        fired: how often it fired before.

    Returns:
        The step and a note for the reason ("" for a rule without a sequence).
    """
    n = len(steps)
    if spec.sequence is None:
        return steps[0], ""
    if fired < n:
        return steps[fired], f"sequence step {fired + 1} of {n}"
    if spec.cycle:
        k = fired % n
        return steps[k], f"sequence step {k + 1} of {n} (cycle {fired // n + 1})"
    return then, f"sequence exhausted after {n} steps, then {action_kind(then.action())}"


def draw_delay(delay: Delay | None, seed: str, n: int) -> float:
    """Seconds to wait for the rule's n-th request: fixed, or drawn from its seeded stream."""
    if delay is None:
        return 0.0
    if delay.min == delay.max:
        return delay.min
    return delay.min + (delay.max - delay.min) * unit(seed, "delay", n)


def window_text(active: Active) -> str:
    """An active window as people read it: `10s-20s`, `30s-on`."""
    end = "on" if active.until is None else f"{active.until:g}s"
    return f"{active.start:g}s-{end}"


def idle_reason(spec: Rule, seen: int, fired: int, elapsed: float) -> tuple[str, str]:
    """Why a matching rule is not firing now, as (expected, actual), for near misses."""
    if spec.active is not None and not spec.active.contains(elapsed):
        return f"active {window_text(spec.active)}", f"{elapsed:.1f}s after load"
    if spec.times is not None and fired >= spec.times:
        return f"times {spec.times}", f"spent ({fired} fired)"
    if spec.after is not None and seen <= spec.after:
        return f"after {spec.after}", f"request {seen}"
    if spec.every is not None:
        return f"every {spec.every}", f"request {seen - (spec.after or 0)}"
    if spec.probability is not None:
        return f"probability {spec.probability:g}", "did not fire"
    return "to fire", "a rule before it decided"


def unfired_reason(spec: Rule, seen: int, fired: int) -> tuple[str, str]:
    """Why a matching rule did not fire for its `seen`-th request, as (expected, actual).

    Computed when the request is decided, so it describes that request, not today's counters.
    """
    if spec.times is not None and fired >= spec.times:
        return f"times {spec.times}", f"already fired {fired} time{'s' * (fired != 1)}"
    after = spec.after or 0
    if seen <= after:
        return f"after {after}", f"this is request {seen} of the session"
    if spec.every is not None:
        return f"every {spec.every}", f"this is request {seen - after} after `after`"
    return f"probability {spec.probability or 0:g}", "the draw did not fire"
