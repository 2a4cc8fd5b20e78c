"""A deliberately wrong SMS client, kept to show what mockserver's verdicts say about it.

Do not copy it. `NaiveSignalWireSms` sends again at once after any failure: it ignores
`Retry-After`, never backs off, and repeats requests the vendor rejected as invalid.
"""

from __future__ import annotations

from typing import Any

import requests

from sms_sender.client import SmsError


class NaiveSignalWireSms:
    """SignalWire's Compatibility API, sent the naive way: up to `attempts` times, no wait."""

    def __init__(self, base_url: str, project: str, token: str, *, attempts: int = 3) -> None:
        self.url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{project}/Messages.json"
        self.attempts = attempts
        self.http = requests.Session()
        self.http.auth = (project, token)

    def send(self, to: str, body: str) -> dict[str, Any]:
        """Send one SMS, trying again immediately on any non-2xx answer."""
        form = {"To": to, "From": "+15550100000", "Body": body}
        status = None
        for _ in range(self.attempts):
            response = self.http.post(self.url, data=form, timeout=10)
            if response.status_code < 300:
                result: dict[str, Any] = response.json()
                return result
            status = response.status_code
        raise SmsError(f"gave up after {self.attempts} attempts", status)
