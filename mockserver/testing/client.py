"""A small synchronous admin-API client (stdlib only), bound to one mock session."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

SUFFIXES = (".yaml", ".yml", ".json")
VENDOR_PREFIXES = ("ringcentral", "yeastar", "signalwire", "fonedynamics", "webexconnect")


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
        sid = self.session
        table = {
            "ringcentral": {"client_id": sid, "client_secret": "mock-secret", "jwt": "mock-jwt"},
            "yeastar": {"username": sid, "password": "mock-secret"},
            "signalwire": {"project": sid, "token": "mock-token"},
            "fonedynamics": {"account_sid": sid, "token": "mock-token"},
            # Webex keys are secrets, so the mock never uses one as a session name, except
            # keys of this explicit form (mockserver/vendors/webexconnect/envelope.py)
            "webexconnect": {"service_key": f"mock-session-{sid}"},
        }
        if vendor not in table:
            raise ValueError(f"unknown vendor {vendor!r}; known: {', '.join(table)}")
        return table[vendor]

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: Mapping[str, str] | None = None,
        text: str | None = None,
    ) -> Any:
        """Call the admin API; raise AdminError with its answer on a non-2xx status."""
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
                raw = response.read()
        except urllib.error.HTTPError as err:
            raise AdminError(f"{method} {path}: {err.code} {err.read().decode()}") from None
        return json.loads(raw) if raw else None

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
        """How many journalled requests of this session match a rule-style `match`."""
        result = self.call("POST", "requests/count", {"match": match}, {"session": self.session})
        return int(result["count"])

    def assert_requests(self, expected: int, **match: Any) -> None:
        """Assert how many requests matched, showing what was received when it fails."""
        got = self.count(**match)
        if got == expected:
            return
        seen = [
            f"  {r['method']} {r['vendor']}{r['path']} -> {r['status']}" for r in self.requests()
        ]
        near = self.call("GET", "requests/unmatched", query={"session": self.session})
        raise AssertionError(
            f"expected {expected} request(s) matching {match}, got {got}\n"
            f"received in session {self.session}:\n"
            + ("\n".join(seen) or "  (none)")
            + "\nnear misses:\n"
            + json.dumps(near.get("requests", [])[:3], indent=2)
        )

    def callbacks(self) -> list[dict[str, Any]]:
        """Delivery callbacks sent for this session."""
        result = self.call("GET", "callbacks", query={"session": self.session})
        return list(result["callbacks"])

    def reset(self) -> None:
        """Forget this session's rules, counters and journal."""
        self.call("POST", "reset", query={"session": self.session})
