"""Header injection for curl and quick tests: X-Mock-Error and its companion headers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mockserver.answers.faults import FAULT_TYPES, Fault
from mockserver.answers.plan import Plan
from mockserver.catalog.model import VendorCatalog

ERROR = "x-mock-error"
PARAMS = "x-mock-error-params"
STATUS = "x-mock-error-status"
RETRY_AFTER = "x-mock-retry-after"
FAULT = "x-mock-fault"
DELAY = "x-mock-delay"
MAX_DELAY = 300.0


@dataclass(frozen=True)
class InjectionError(Exception):
    """A header asked for something that cannot be served; rendered as plain JSON 400."""

    kind: str
    message: str
    suggestions: tuple[str, ...] = ()

    def body(self, vendor: str) -> dict[str, object]:
        """The JSON answer naming the problem."""
        out: dict[str, object] = {"error": self.kind, "vendor": vendor, "message": self.message}
        if self.suggestions:
            out["suggestions"] = list(self.suggestions)
        return out


def parse_params(value: str) -> dict[str, str]:
    """Parse `name=value; name2=value2` (values may contain '=' but not ';')."""
    out: dict[str, str] = {}
    for item in value.split(";"):
        if not item.strip():
            continue
        name, sep, val = item.partition("=")
        if not sep or not name.strip():
            raise InjectionError(
                "bad_params",
                f"X-Mock-Error-Params item {item.strip()!r}: expected name=value; name2=value2",
            )
        out[name.strip()] = val.strip()
    return out


def parse_delay(value: str) -> float:
    """Seconds to wait, e.g. `0.5` (ranges belong in scenarios, where they are seeded)."""
    try:
        seconds = float(value)
    except ValueError:
        raise InjectionError("bad_delay", f"X-Mock-Delay {value!r}: expected seconds") from None
    if not 0 <= seconds <= MAX_DELAY:
        raise InjectionError("bad_delay", f"X-Mock-Delay {value!r}: must be 0..{MAX_DELAY:g}")
    return seconds


def _int_header(headers: Mapping[str, str], name: str, low: int, high: int) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    # isdecimal() alone admits other scripts' digits ("٣"); only ASCII digits are a status
    if not (raw.strip().isascii() and raw.strip().isdigit()) or not low <= int(raw) <= high:
        shown = "-".join(part.capitalize() for part in name.split("-"))
        raise InjectionError("bad_header", f"{shown} {raw!r}: expected an integer {low}..{high}")
    return int(raw)


def _error_plan(catalog: VendorCatalog, headers: Mapping[str, str], delay: float) -> Plan:
    key = headers[ERROR].strip()
    entry = catalog.get(key)
    if entry is None:
        raise InjectionError(
            "unknown_code",
            f"{catalog.name} has no catalogued error {key!r}",
            tuple(catalog.closest(key)),
        )
    if entry.delivery == "async":
        raise InjectionError(
            "async_only",
            f"{catalog.name} {entry.key} ({entry.message}) is only reported asynchronously, in "
            "delivery receipts / status callbacks, never as an HTTP answer; preview it at "
            f"/__admin/catalog/{catalog.vendor}/{entry.key}/render",
        )
    return Plan(
        "error",
        entry=entry,
        params=parse_params(headers.get(PARAMS, "")),
        # 1xx are interim answers: the client would wait forever for the final one
        status=_int_header(headers, STATUS, 200, 599),
        retry_after=_int_header(headers, RETRY_AFTER, 0, 86_400),
        delay=delay,
        rule="header:X-Mock-Error",
        reason=f"X-Mock-Error: {key}",
    )


def plan_from_headers(catalog: VendorCatalog, headers: Mapping[str, str]) -> Plan | None:
    """The plan the X-Mock-* headers ask for, or None when there are none.

    Raises:
        InjectionError: an unknown code, an async-only code, or a malformed header value.
    """
    if ERROR not in headers and FAULT not in headers and DELAY not in headers:
        return None
    delay = parse_delay(headers[DELAY]) if DELAY in headers else 0.0
    if ERROR in headers:
        return _error_plan(catalog, headers, delay)
    if FAULT in headers:
        kind = headers[FAULT].strip().lower()
        if kind not in FAULT_TYPES:
            raise InjectionError("unknown_fault", f"X-Mock-Fault {kind!r}", FAULT_TYPES)
        return Plan(
            "fault",
            fault=Fault(kind),
            delay=delay,
            rule="header:X-Mock-Fault",
            reason=f"X-Mock-Fault: {kind}",
        )
    return Plan(
        "passthrough", delay=delay, rule="header:X-Mock-Delay", reason=f"X-Mock-Delay: {delay:g}s"
    )


class InjectionPlans:
    """`plan_from_headers` remembered per header values: a curl loop repeats the same ones.

    Only plans are kept; a rejected header is parsed (and raised) afresh every time. The
    cache is bounded and starts over when full.
    """

    def __init__(self, limit: int = 1024) -> None:
        self.limit = limit
        self._plans: dict[tuple[str | None, ...], Plan] = {}

    def plan(self, catalog: VendorCatalog, headers: Mapping[str, str]) -> Plan | None:
        """The plan the X-Mock-* headers ask for, or None when there are none.

        Raises:
            InjectionError: as `plan_from_headers`.
        """
        if ERROR not in headers and FAULT not in headers and DELAY not in headers:
            return None
        get = headers.get
        key = (
            catalog.vendor,
            get(ERROR),
            get(PARAMS),
            get(STATUS),
            get(RETRY_AFTER),
            get(FAULT),
            get(DELAY),
        )
        plan = self._plans.get(key)
        if plan is None:
            plan = plan_from_headers(catalog, headers)
            if plan is not None:
                if len(self._plans) >= self.limit:
                    self._plans.clear()
                self._plans[key] = plan
        return plan
