"""SignalWire Compatibility API (vendors.md 3.1): catalog policy — HTTP status, delivery, tags, retryability, notes per code."""

from __future__ import annotations

import re

from mockserver.catalog.policy import (
    STATUS_TAGS,
    Entry,
    Row,
    keyword_tags,
    retry,
    status,
    status_tags,
    unique,
)

META = {
    "name": "SignalWire",
    "page": "https://signalwire.com/docs/compatibility-api/reference/errors",
    "envelopes": ["compat", "rest", "relay"],
    "status_policy": (
        "The published list gives no HTTP status, so every status is inferred from the Twilio "
        "convention the compatibility API follows (vendors.md 3.1): 20003 -> 401, 20404 -> 404, "
        "20429 -> 429, 20004 Method not allowed -> 405; a code whose message is an HTTP reason "
        "phrase gets that status (20403 403, 20413 413, 20426 426, 20500 500, 20503 503); "
        "account-inactive, trial, test-credential and access-denied codes (10001-10003, 20005, "
        "20006, 20008, 20010) -> 403; 10004 call concurrency limit -> 429; the other 20xxx, 21xxx "
        "and 22xxx parameter errors -> 400 (SignalWire's spec also allows 422; the /api/* families "
        'answer validation errors with 422 themselves); server failures (90000, "internal" '
        'errors) -> 500, "service unavailable" -> 503. Only the REST codes of vendors.md 3.1 '
        "(4000, 4001, 10000-10004, 200xx, 20404, 20422, 20429, 20504, 21201-21717, 22109, 22121, "
        "31922, 90000) plus the HTTP-status codes 204xx/205xx are sync; everything else appears "
        "only in status callbacks, the debugger or SDK events (async) and carries the status it "
        "would have if forced onto an HTTP answer: 400, or 5xx for server failures. The /api/* "
        "string codes not_routable and invalid_from_number (captured, not in the seed) are 422, "
        "the status documented for RestApiErrorItem."
    ),
}

# vendors.md 3.1 "Which seed codes are synchronous", plus 204xx/205xx: the codes that mirror an
# HTTP status (20403, 20413, 20423, 20426, 20500, 20503) are REST answers like 20404/20429.
SW_SYNC_RANGES = (
    (4000, 4001),
    (10000, 10004),
    (20000, 20099),
    (20400, 20599),
    (21201, 21717),
    (22109, 22109),
    (22121, 22121),
    (31922, 31922),
    (90000, 90000),
)
SW_STATUS = {
    "20003": (401, "Twilio convention: 20003 authentication failure -> 401"),
    "20404": (404, "Twilio convention: 20404 -> 404"),
    "20429": (429, "Twilio convention: 20429 -> 429"),
    "10004": (429, "concurrency limit reached: 429, the status of a limit the client can wait out"),
}
# Messages that are an HTTP reason phrase name their own status.
SW_PHRASES = {
    "method not allowed": 405,
    "403 forbidden": 403,
    "not found": 404,
    "request entity too large": 413,
    "upgrade required": 426,
    "too many requests": 429,
    "internal server error": 500,
    "service unavailable": 503,
    "gateway timeout": 504,
}
# Account not active, trial limits, test credentials, access denied: the caller may not do this.
SW_FORBIDDEN = {"10001", "10002", "10003", "20005", "20006", "20008", "20010"}
SW_SERVER = re.compile(r"(?i)internal|server error|service unavailable|uncaught")
SW_TRANSIENT = re.compile(
    r"(?i)timed out|connection timeout|request timeout|gateway timeout|queue timeout|pdd timeout"
    r"|busy|overflow|rate limit exceeded|rate exceeded|cps limit exceeded|too many requests"
    r"|too many connections|concurren|temporarily unavailable|service unavailable"
)
SW_RETRY = {
    "10004": "Call concurrency limit: retry once a call has ended.",
    "30001": "Queue overflow: the send queue drains, retry later.",
    "11200": "Fetching your URL failed (often a timeout): the next attempt may succeed.",
    "11205": "HTTP connection failure to your server: transient, retry.",
    "11210": "DNS resolution of your host failed: may be transient, retry.",
    "20429": "429: back off and retry (honour Retry-After).",
}
SW_RANGE_TAGS = (
    ((10001, 10003), ("account",)),
    ((10004, 10004), ("voice", "limit")),
    ((11000, 11999), ("webhook",)),
    ((12000, 12999), ("cxml",)),
    ((13000, 13999), ("cxml", "voice")),
    ((14100, 14199), ("cxml", "messaging")),
    ((14000, 14999), ("cxml",)),
    ((15000, 16999), ("voice",)),
    ((20101, 20199), ("auth",)),
    ((21200, 21299), ("voice",)),
    ((21600, 21799), ("messaging",)),
    ((30000, 30999), ("delivery", "messaging")),
    ((31000, 32999), ("voice",)),
    ((34000, 34999), ("voice", "media")),  # fax
    ((50000, 50999), ("messaging",)),  # chat
    ((51000, 51999), ("network",)),  # client connection / twilsock
    ((52000, 52999), ("push",)),  # notify
    ((53000, 53999), ("media",)),  # video
    ((63000, 63999), ("ott", "messaging")),  # channels
)
SW_KEYWORDS = (
    (re.compile(r"(?i)not found|does not exist|no such"), ("not-found",)),
    (re.compile(r"(?i)rate limit|too many|rate exceeded|cps limit"), ("rate-limit",)),
    (re.compile(r"(?i)limit|exceed|too (large|long|big)"), ("limit",)),
    (re.compile(r"(?i)timed out|timeout"), ("timeout",)),
    (re.compile(r"(?i)already exists|duplicate|mismatch"), ("conflict",)),
    (re.compile(r"(?i)authenticat|credential|access token"), ("auth",)),
    (re.compile(r"(?i)permission|forbidden|not allowed|access denied"), ("permission",)),
    (re.compile(r"(?i)\binvalid\b|missing|required|malformed"), ("validation",)),
    (re.compile(r"(?i)not supported|unsupported|not enabled"), ("unsupported",)),
    (re.compile(r"(?i)\bfunds\b|balance|billing|payment"), ("billing",)),
    (re.compile(r"(?i)recording|media|mms"), ("media",)),
)


def sw_delivery(code: str) -> str:
    number = int(code)
    return "sync" if any(lo <= number <= hi for lo, hi in SW_SYNC_RANGES) else "async"


def sw_status(code: str, message: str, delivery: str) -> Entry:
    """Twilio-convention status for sync codes; async ones get 400 unless a server failure."""
    phrase = SW_PHRASES.get(message.strip().lower())
    if delivery == "async":
        return _sw_forced_status(message, phrase)
    if code in SW_STATUS:
        return status(SW_STATUS[code][0], "inferred", SW_STATUS[code][1])
    if phrase:
        return status(phrase, "inferred", f"the message is the HTTP reason phrase of {phrase}")
    if code in SW_FORBIDDEN:
        return status(403, "inferred", "account inactive / not allowed for this account -> 403")
    if SW_SERVER.search(message):
        return status(_server_status(message), "inferred", "server-side failure -> 5xx")
    return status(400, "inferred", "Twilio convention: parameter/request errors -> 400")


def _server_status(message: str) -> int:
    return 503 if re.search(r"(?i)(service|temporarily) unavailable", message) else 500


def _sw_forced_status(message: str, phrase: int | None) -> Entry:
    rule = "async only (callback/debugger); status if forced onto an HTTP answer: "
    if phrase and phrase >= 500:
        return status(phrase, "inferred", rule + f"the message names HTTP {phrase}")
    if SW_SERVER.search(message):
        return status(_server_status(message), "inferred", rule + "server-side failure -> 5xx")
    return status(400, "inferred", rule + "400")


def sw_retry(code: str, message: str, http: int, delivery: str) -> Entry:
    if code in SW_RETRY:
        return retry(True, SW_RETRY[code])
    if http in (429, 500, 502, 503, 504):
        return retry(True, f"HTTP {http}: a transient condition, retry with backoff.")
    if http == 401:
        return retry(
            False, "Authentication failed: fix the project id / token before a new request."
        )
    if SW_TRANSIENT.search(message):
        return retry(True, "The message describes a transient condition (timeout, busy, rate).")
    if delivery == "async":
        return retry(
            False, "Reported after the fact about this request or call: it fails again as is."
        )
    return retry(False, "Client error: the request must change before it can succeed.")


def sw_tags(code: str, message: str, http: int, delivery: str, log_level: str) -> list[str]:
    """Range and keyword tags; the status class only counts where the status is real-ish."""
    number = int(code)
    ranged = [t for (lo, hi), tags in SW_RANGE_TAGS if lo <= number <= hi for t in tags]
    tags = unique([*ranged, *status_tags(http, delivery), *keyword_tags(message, SW_KEYWORDS)])
    tags = tags or list(STATUS_TAGS[http])
    return [*tags, "warning"] if log_level.lower() == "warning" else tags


def sw_notes(row: Row) -> list[str]:
    notes = []
    if row["message"] is None:
        notes.append("the seed record has no Message line; the message is empty")
    title, message = row["docs_title"], row["message"] or ""
    if title and _squash(title) != _squash(message):
        notes.append(f"docs title differs from message: {title!r}; the wire message is Message")
    return notes


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


def signalwire_entry(row: Row) -> Entry:
    code, message = row["code"], row["message"] or ""
    delivery = sw_delivery(code)
    fields = sw_status(code, message, delivery)
    http = fields["http_status"]
    return {
        "key": code,
        "code": code,
        "message": message,
        **fields,
        "delivery": delivery,
        "error": True,
        **sw_retry(code, message, http, delivery),
        "tags": sw_tags(code, message, http, delivery, row["log_level"]),
        "source_line": row["line"],
        "log_level": row["log_level"],
        "secondary_message": row["secondary_message"],
        "description": row["description"],
        "causes": row["causes"],
        "solutions": row["solutions"],
        "docs_title": row["docs_title"],
        "docs": row["docs"],
        "notes": sw_notes(row),
    }


# The /api/* REST family's own string codes (error-codes.mdx lists them, without texts); only
# the ones whose wording is captured are entries. They are sync 422 validation answers.
SW_API_CODES: list[Entry] = [
    {
        "code": "not_routable",
        "message": "The call is not routable",
        "tags": ["validation", "voice"],
        "source": "vendors.md 3.2 [obs]: https://github.com/signalwire/docs-legacy/issues/589, "
        '{"errors":[{"type":"validation_error","code":"not_routable",'
        '"message":"The call is not routable","attribute":"to",...}]}',
    },
    {
        "code": "invalid_from_number",
        "message": "From must be a valid purchased phone number or WhatsApp business number "
        "from your SignalWire project.",
        "tags": ["validation", "messaging"],
        "source": "vendors.md 3.2 [spec]: specs/signalwire-rest message-api/messages/models/"
        "errors.tsp, the 422 example with attribute `from`",
    },
]


def entries(rows: list[Row]) -> list[Entry]:
    """Seed records, then the /api/* string codes seen in captures and the spec."""
    api = [
        {
            "key": e["code"],
            **e,
            **status(422, "documented", "RestApiErrorItem answers are HTTP 422", [422]),
            "delivery": "sync",
            "error": True,
            **retry(False, "A validation error: the request must change before it can succeed."),
        }
        for e in SW_API_CODES
    ]
    return [signalwire_entry(row) for row in rows] + api
