"""Two small SMS clients written the way production code should be: bounded, typed failures.

`SignalWireSms` sends through SignalWire's Compatibility (Twilio-style) API and retries what
is worth retrying: 429 and 5xx answers (HTML error pages included) and connection errors,
with exponential back-off, jitter and respect for `Retry-After`. A 4xx is the vendor saying
"no" to this message: it raises `SmsRejected` at once, carrying the vendor's error code.

`RingCentralSms` logs in with a JWT, sends an SMS and, when the access token has expired
(401 OAU-128), refreshes it once and sends again; it shares the same retry policy.

Both take a `sleep` function (tests pass a recorder, so no time is wasted and the waits can be
checked) and cap every single wait at `RetryPolicy.max_delay`.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

Sleep = Callable[[float], None]
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class SmsError(Exception):
    """Sending failed; `status` is the last HTTP status (None: no answer at all)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class SmsRejected(SmsError):
    """The vendor refused this message (a 4xx); retrying it will not help.

    Attributes:
        code: the vendor's own error code: an int for SignalWire (21211), a string for
            RingCentral ("CMN-101"); None when the answer carried none.
        message: the vendor's explanation.
    """

    def __init__(self, code: int | str | None, message: str, status: int | None = None) -> None:
        super().__init__(message, status)
        self.code = code

    def __str__(self) -> str:
        return f"{self.code}: {self.message} (HTTP {self.status})"


class SmsUnavailable(SmsError):
    """A transient failure (429, 5xx, connection error) outlasted every retry."""


class SmsProtocolError(SmsError):
    """The vendor answered, but not with what it documents (e.g. a 2xx that is not JSON).

    The message may or may not have been sent, so it is not retried blindly.
    """


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait before sending again.

    Attributes:
        max_attempts: requests per message, the first one included.
        base_delay: the first back-off; it doubles on each further attempt.
        max_delay: the longest single wait, `Retry-After` included (a vendor asking for an
            hour should fail the send, not hang the worker).
        jitter: the share of each back-off that is randomised (0: none, 1: "full jitter"),
            so that many clients throttled together do not come back together.
    """

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    jitter: float = 0.5

    def delay(
        self,
        attempt: int,
        retry_after: float | None = None,
        rand: Callable[[], float] = random.random,
    ) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        backoff = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        wait = backoff * (1 - self.jitter * rand())
        if retry_after is not None:
            # the server knows when it will accept us again: never come back earlier
            wait = max(wait, retry_after)
        return min(wait, self.max_delay)


def retry_after_seconds(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """`Retry-After` as seconds: either delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


def _is_transient(status: int) -> bool:
    return status == 429 or status >= 500


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


class _Retrying:
    """The retry loop both clients share."""

    def __init__(self, policy: RetryPolicy, sleep: Sleep, rand: Callable[[], float]) -> None:
        self.policy = policy
        self.sleep = sleep
        self.rand = rand

    def run(self, attempt: Callable[[], requests.Response]) -> requests.Response:
        """Call `attempt` until it gives a non-transient answer or the attempts run out."""
        last: str = "no attempt made"
        status: int | None = None
        for number in range(1, self.policy.max_attempts + 1):
            retry_after = None
            try:
                response = attempt()
            except requests.ConnectionError as err:
                # reset, refused, DNS... nothing reached the vendor's application
                # (or its answer was lost), so sending again is the only way forward
                last, status = f"connection error: {err}", None
            else:
                if not _is_transient(response.status_code):
                    return response
                status = response.status_code
                last = f"HTTP {status}: {response.text[:200]}"
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            if number < self.policy.max_attempts:
                self.sleep(self.policy.delay(number, retry_after, self.rand))
        raise SmsUnavailable(
            f"gave up after {self.policy.max_attempts} attempts; last: {last}", status
        )


@dataclass(frozen=True)
class DeliveryStatus:
    """A status callback (SignalWire/Twilio `StatusCallback` form POST), decoded."""

    sid: str
    status: str
    error_code: int | None

    # 30003: handset off or out of coverage, may work later; every other delivery
    # failure (30005 unknown number, 30006 landline, 30007 spam filter...) will not
    RETRYABLE_LATER = frozenset({30003})

    @classmethod
    def from_form(cls, form: Mapping[str, str]) -> DeliveryStatus:
        """Decode the form fields of a status callback."""
        code = form.get("ErrorCode")
        return cls(
            sid=form.get("MessageSid", ""),
            status=form.get("MessageStatus", ""),
            error_code=int(code) if code else None,
        )

    @property
    def failed(self) -> bool:
        """The carrier did not deliver the message (a final state)."""
        return self.status in ("undelivered", "failed")

    @property
    def retry_later(self) -> bool:
        """Worth sending again later (and only later)."""
        return self.failed and self.error_code in self.RETRYABLE_LATER


class SignalWireSms:
    """Send SMS through SignalWire's Compatibility API (Twilio-style form POST).

    Args:
        base_url: the space URL, e.g. "https://example.signalwire.com" (in tests:
            `mock.url_for("signalwire")`).
        project: the project id (Basic-auth user, and the `Accounts/{project}` path part).
        token: the API token (Basic-auth password).
        from_: the default sender number.
        policy: retry policy.
        sleep: how to wait between attempts (tests pass a recorder).
        timeout: seconds for one request.
        rand: random source for the jitter.
    """

    def __init__(
        self,
        base_url: str,
        project: str,
        token: str,
        *,
        from_: str = "+15550100000",
        policy: RetryPolicy | None = None,
        sleep: Sleep = time.sleep,
        timeout: float = 10.0,
        rand: Callable[[], float] = random.random,
        http: requests.Session | None = None,
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{project}/Messages.json"
        self.from_ = from_
        self.timeout = timeout
        self.http = http or requests.Session()
        self.http.auth = (project, token)
        self._retrying = _Retrying(policy or RetryPolicy(), sleep, rand)

    def send(
        self,
        to: str,
        body: str,
        *,
        from_: str | None = None,
        status_callback: str | None = None,
    ) -> dict[str, Any]:
        """Send one SMS; returns the message resource (`sid`, `status` "queued", ...).

        Raises:
            SmsRejected: a 4xx, e.g. code 21211 for an invalid `To`; never retried.
            SmsUnavailable: 429 / 5xx / connection errors on every attempt.
            SmsProtocolError: a 2xx without the JSON message resource.
        """
        form = {"To": to, "From": from_ or self.from_, "Body": body}
        if status_callback:
            form["StatusCallback"] = status_callback
        response = self._retrying.run(
            lambda: self.http.post(self.url, data=form, timeout=self.timeout)
        )
        data = _json(response)
        if response.status_code >= 400:
            error = data if isinstance(data, dict) else {}
            raise SmsRejected(
                error.get("code"),
                str(error.get("message") or response.text[:200]),
                response.status_code,
            )
        if not isinstance(data, dict) or "sid" not in data:
            raise SmsProtocolError(
                f"HTTP {response.status_code} without a message resource: {response.text[:200]!r}",
                response.status_code,
            )
        return data


def send_sms(
    to: str,
    body: str,
    *,
    base_url: str,
    project: str,
    token: str,
    **options: Any,
) -> dict[str, Any]:
    """Send one SMS with a throwaway `SignalWireSms` (options: those of its constructor)."""
    return SignalWireSms(base_url, project, token, **options).send(to, body)


class RingCentralSms:
    """Send SMS through RingCentral's REST API, logged in with a JWT.

    Args:
        base_url: the server, e.g. "https://platform.ringcentral.com" (in tests:
            `mock.url_for("ringcentral")`).
        client_id, client_secret: the app's credentials (Basic auth on the token endpoint).
        jwt: the user's JWT credential.
        from_: the sender number (an SMS-enabled number of the extension).
        policy, sleep, timeout, rand: as for `SignalWireSms`.
    """

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        jwt: str,
        *,
        from_: str = "+15550100000",
        policy: RetryPolicy | None = None,
        sleep: Sleep = time.sleep,
        timeout: float = 10.0,
        rand: Callable[[], float] = random.random,
        http: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = (client_id, client_secret)
        self.jwt = jwt
        self.from_ = from_
        self.timeout = timeout
        self.http = http or requests.Session()
        self.access_token: str | None = None
        self.refresh_token: str | None = None
        self._retrying = _Retrying(policy or RetryPolicy(), sleep, rand)

    def _token(self, form: dict[str, str]) -> None:
        response = self._retrying.run(
            lambda: self.http.post(
                f"{self.base_url}/restapi/oauth/token",
                data=form,
                auth=self.client,
                timeout=self.timeout,
            )
        )
        data = _json(response)
        if response.status_code != 200 or not isinstance(data, dict):
            raise _rejected(response, data)
        self.access_token = data["access_token"]
        self.refresh_token = data.get("refresh_token")

    def login(self) -> None:
        """Get an access token with the JWT grant."""
        self._token({"grant_type": JWT_GRANT, "assertion": self.jwt})

    def refresh(self) -> None:
        """Trade the refresh token for a new pair; log in again when there is none."""
        if self.refresh_token is not None:
            try:
                self._token({"grant_type": "refresh_token", "refresh_token": self.refresh_token})
                return
            except SmsRejected:
                pass  # refresh token expired or revoked (OAU-210 / OAU-213): log in again
        self.login()

    def _post_sms(self, payload: dict[str, Any]) -> requests.Response:
        return self._retrying.run(
            lambda: self.http.post(
                f"{self.base_url}/restapi/v1.0/account/~/extension/~/sms",
                json=payload,
                headers={"Authorization": f"Bearer {self.access_token}"},
                timeout=self.timeout,
            )
        )

    def send(self, to: str, text: str, *, from_: str | None = None) -> dict[str, Any]:
        """Send one SMS; returns the message record (`id`, `messageStatus`, ...).

        Raises:
            SmsRejected: a 4xx, e.g. "CMN-101" for an invalid number, or OAU-128 again
                right after a refresh (the client refreshes once, never in a loop).
            SmsUnavailable: 429 / 5xx / connection errors on every attempt.
            SmsProtocolError: a 2xx without a JSON body.
        """
        if self.access_token is None:
            self.login()
        payload = {
            "from": {"phoneNumber": from_ or self.from_},
            "to": [{"phoneNumber": to}],
            "text": text,
        }
        response = self._post_sms(payload)
        if response.status_code == 401 and _error_code(_json(response)) == "OAU-128":
            self.refresh()
            response = self._post_sms(payload)
        data = _json(response)
        if response.status_code >= 400:
            raise _rejected(response, data)
        if not isinstance(data, dict):
            raise SmsProtocolError(
                f"HTTP {response.status_code} without a JSON body: {response.text[:200]!r}",
                response.status_code,
            )
        return data


def _error_code(data: Any) -> str | None:
    """RingCentral's code: `errorCode` at the top, else the first `errors[]` item's."""
    if not isinstance(data, dict):
        return None
    code = data.get("errorCode")
    if code is None and data.get("errors"):
        code = data["errors"][0].get("errorCode")
    return str(code) if code is not None else None


def _rejected(response: requests.Response, data: Any) -> SmsRejected:
    message = response.text[:200]
    if isinstance(data, dict):
        message = str(data.get("message") or data.get("error_description") or message)
    return SmsRejected(_error_code(data), message, response.status_code)
