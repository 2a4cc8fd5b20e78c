"""A small synchronous admin-API client (stdlib only), bound to one mock session."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from mockserver.testing.reports import summary_line
from mockserver.testing.sweep import ErrorCase
from mockserver.vendors import VENDORS

SUFFIXES = (".yaml", ".yml", ".json")
VENDOR_PREFIXES = tuple(VENDORS)
# count()/assert_requests() keywords that filter on the answer, not the request
ANSWER_FILTERS = ("status", "outcome")


def request_line(entry: Mapping[str, Any], misses: list[Mapping[str, Any]]) -> str:
    """`POST /signalwire/... -> 201 passthrough; near miss 'slow-send': method: ...`."""
    line = f"{entry['method']} /{entry['vendor']}{entry['path']} -> {entry['status']}"
    line += f" {entry['outcome']}"
    if entry.get("rule"):
        return f"{line} by rule {entry['rule']!r}"
    if not misses:
        return line
    first = misses[0]
    return f"{line}; near miss {first['rule']!r}: {'; '.join(first['mismatches'])}"


class AdminError(AssertionError):
    """The admin API refused a call; the message carries its answer."""


class MockSession:
    """One test's view of a running mockserver: its own rules, counters and journal.

    Args:
        base_url: the server's base URL, e.g. "http://127.0.0.1:8080".
        session: the session id this handle is bound to.
        admin_token: bearer token for the admin API, when the server requires one.
    """

    def __init__(self, base_url: str, session: str, admin_token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session
        self._token = admin_token
        self._injected = 0

    def url_for(self, vendor: str) -> str:
        """Base URL of a vendor, to give the client or SDK under test."""
        if vendor not in VENDOR_PREFIXES:
            raise ValueError(f"unknown vendor {vendor!r}; known: {', '.join(VENDOR_PREFIXES)}")
        return f"{self.base_url}/{vendor}"

    @property
    def headers(self) -> dict[str, str]:
        """Headers that put a raw HTTP request into this session."""
        return {"X-Mock-Session": self.session}

    def credentials(self, vendor: str) -> dict[str, str]:
        """Credentials that tie an official SDK to this session with no extra header."""
        if vendor not in VENDORS:
            raise ValueError(f"unknown vendor {vendor!r}; known: {', '.join(VENDORS)}")
        return VENDORS[vendor].test_credentials(self.session)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: Mapping[str, str] | None = None,
        text: str | None = None,
    ) -> Any:
        """Call the admin API; raise AdminError with its answer on a non-2xx status."""
        raw = self._fetch(method, path, body, query, text)
        return json.loads(raw) if raw else None

    def _fetch(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: Mapping[str, str] | None = None,
        text: str | None = None,
    ) -> bytes:
        """The raw body of an admin API answer; AdminError on a non-2xx status."""
        url = f"{self.base_url}/__admin/{path.lstrip('/')}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = text.encode() if text is not None else None
        if body is not None:
            data = json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self._token:
            request.add_header("Authorization", f"Bearer {self._token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw: bytes = response.read()
        except urllib.error.HTTPError as err:
            raise AdminError(f"{method} {path}: {err.code} {err.read().decode()}") from None
        return raw

    def load_scenario(self, scenario: Mapping[str, Any] | str | os.PathLike[str]) -> Any:
        """Load a scenario into this session: a mapping, YAML/JSON text, or a file path."""
        if isinstance(scenario, os.PathLike) or (
            isinstance(scenario, str) and "\n" not in scenario and scenario.endswith(SUFFIXES)
        ):
            with open(scenario, encoding="utf-8") as handle:
                text = handle.read()
        elif isinstance(scenario, str):
            text = scenario
        else:
            text = json.dumps(scenario)
        return self.call("POST", "scenarios", query={"session": self.session}, text=text)

    def inject(
        self,
        vendor: str,
        code: str | None = None,
        *,
        match: Mapping[str, Any] | None = None,
        times: int | None = None,
        after: int | None = None,
        fault: str | None = None,
        params: Mapping[str, str] | None = None,
        status: int | None = None,
        retry_after: int | None = None,
        delay: float | None = None,
    ) -> str:
        """Add one rule to this session; returns its scenario name."""
        self._injected += 1
        rule: dict[str, Any] = {"match": {"vendor": vendor, **dict(match or {})}}
        if fault:
            rule["fault"] = fault
        else:
            error: dict[str, Any] = {"code": code}
            for key, value in (
                ("params", params),
                ("status", status),
                ("retry_after", retry_after),
            ):
                if value is not None:
                    error[key] = value
            rule["error"] = error
        for key, count in (("times", times), ("after", after)):
            if count is not None:
                rule[key] = count
        if delay is not None:
            rule["delay"] = delay
        name = f"{self.session}-inject-{self._injected}"
        self.load_scenario({"name": name, "vendor": vendor, "rules": [rule]})
        return name

    def requests(self, **filters: str) -> list[dict[str, Any]]:
        """Journal entries of this session, filtered by vendor, path, rule, status, since."""
        result = self.call("GET", "requests", query={"session": self.session, **filters})
        return list(result["requests"])

    def count(self, **match: Any) -> int:
        """How many journalled requests of this session match a rule-style `match`.

        `status` and `outcome` filter on the answer (as GET /__admin/requests does); every
        other keyword is part of the rule-style match (vendor, method, path, body...).
        """
        body = {k: match.pop(k) for k in ANSWER_FILTERS if k in match}
        body["match"] = match
        result = self.call("POST", "requests/count", body, {"session": self.session})
        return int(result["count"])

    def assert_requests(self, expected: int, **match: Any) -> None:
        """Assert how many requests matched, showing what was received when it fails."""
        got = self.count(**dict(match))
        if got == expected:
            return
        raise AssertionError(
            f"expected {expected} request(s) matching {match}, got {got}\n"
            f"received in session {self.session}:\n" + "\n".join(self._explained())
        )

    def _explained(self) -> list[str]:
        """One line per request: what answered it, or the closest of the user's own rules."""
        query = {"session": self.session, "defaults": "false"}
        unmatched = self.call("GET", "requests/unmatched", query=query)["requests"]
        near = {(e["time"], e["method"], e["path"]): e["near_misses"] for e in unmatched}
        lines = []
        for entry in self.requests():
            misses = near.get((entry["time"], entry["method"], entry["path"]), [])
            lines.append("  " + request_line(entry, misses))
        return lines or ["  (none)"]

    def verdicts(self) -> dict[str, Any]:
        """This session's error-handling report (JSON): errors served, verdicts, coverage."""
        query = {"session": self.session, "format": "json"}
        return dict(self.call("GET", "report", query=query))

    def report(self, format: str = "text") -> str:
        """This session's report as the server renders it: text, markdown, html or json."""
        query = {"session": self.session, "format": format}
        return self._fetch("GET", "report", query=query).decode()

    def assert_no_bad_verdicts(self) -> None:
        """Fail when this session handled a served error badly, naming what it did."""
        report = self.verdicts()
        if report["summary"]["bad"]:
            raise AssertionError(summary_line(report))

    def serve_once(self, case: ErrorCase, *, retry_after: int | None = None) -> str:
        """Answer the next request on `case`'s operation with its catalogued error, once.

        `retry_after` sets the Retry-After the vendor sends with it (429/503), e.g. 1 to
        keep a sweep that really waits short; by default the vendor's usual one.
        """
        match = case.match
        return self.inject(case.vendor, case.key, match=match, times=1, retry_after=retry_after)

    def callbacks(self) -> list[dict[str, Any]]:
        """Delivery callbacks sent for this session."""
        result = self.call("GET", "callbacks", query={"session": self.session})
        return list(result["callbacks"])

    def reset(self) -> None:
        """Forget this session's rules, counters and journal."""
        self.call("POST", "reset", query={"session": self.session})
