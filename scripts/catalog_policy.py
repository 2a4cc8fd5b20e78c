"""Per-vendor catalog decisions (HTTP status, delivery, tags, retryability, notes) as small rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

Row = dict[str, Any]
Entry = dict[str, Any]


def status(http: int, origin: str, rule: str, documented: Iterable[int] = ()) -> Entry:
    """The `http_status` + `status` fields of an entry."""
    info = {"origin": origin, "rule": rule, "documented": list(documented)}
    return {"http_status": http, "status": info}


def retry(flag: bool, reason: str) -> Entry:
    """The `retryable` + `retry_reason` fields of an entry."""
    return {"retryable": flag, "retry_reason": reason}


def unique(tags: Iterable[str]) -> list[str]:
    """Tags in first-seen order without repeats."""
    return list(dict.fromkeys(tags))


def keyword_tags(text: str, table: Iterable[tuple[re.Pattern[str], tuple[str, ...]]]) -> list[str]:
    """Every tag whose pattern occurs in `text`."""
    return [tag for pattern, tags in table if pattern.search(text) for tag in tags]


# Shared by every vendor: the tag an HTTP status class implies.
STATUS_TAGS = {
    400: ("validation",),
    401: ("auth",),
    403: ("permission",),
    404: ("not-found",),
    405: ("unsupported",),
    406: ("conflict",),  # RingCentral MSG-343: not allowed in the message's current state
    413: ("limit",),
    415: ("unsupported", "media"),
    416: ("validation",),
    426: ("unsupported",),
    429: ("rate-limit",),
    500: ("server",),
    501: ("unsupported", "server"),
    503: ("server",),
    504: ("server", "timeout"),
}


def status_tags(http: int, delivery: str) -> tuple[str, ...]:
    """An async entry's status is only what it would be if forced onto HTTP: 5xx still says server."""
    return STATUS_TAGS.get(http, ()) if delivery == "sync" or http >= 500 else ()


NOT_AN_ERROR = retry(False, "Not an error: nothing to retry.")


# =====================================================================================
# RingCentral (vendors.md 1.3-1.5)
# =====================================================================================

RINGCENTRAL = {
    "name": "RingCentral",
    "page": "https://developers.ringcentral.com/guide/basics/errors",
    "envelopes": ["rest", "oauth", "gateway", "analytics"],
    "status_policy": (
        "Real HTTP statuses, taken from the published table (origin documented). A cell that lists "
        'two statuses ("400, 403") keeps both under `documented` and the entry uses the first. '
        "Two cells are typos: `400.403` (CMN-406) is read as 400, 403 and uses 400; `4003` "
        "(CMN-408) is read as 403, the permission family's status (inferred). Errors on "
        "`/restapi/oauth/*` are answered with HTTP 400 and the OAuth shape `{error, "
        "error_description, errors[]}`, as every real capture shows, even where the table lists "
        "401/403 for the OAU code (OAU-140 is listed as 401 but returned as 400); the entries keep "
        "the table's status and the token endpoint applies the 400 (429 and 5xx stay), vendors.md "
        "1.3 B and 1.4. Resource APIs under `/restapi/v1.0` use the REST shape, unknown paths the "
        "gateway shape (AGW-404, 404), `/analytics/` an `errors[]`-only shape; 429 answers carry "
        "Retry-After. Five entries are not in the table but captured in public reports "
        "(vendors.md 1.3): AGW-404, OAU-210, OAU-251 and OAU-153 (400 like every token-endpoint "
        "capture) and OAU-213, whose 401 is inferred. CMN-401/2 and MSG-246 are captured answers "
        "with a word (`top_code`) at the top level. Where a capture contradicts the table it "
        "wins: OAU-140 and OAU-123 texts, CMN-102 404."
    ),
}

# The status cells that are not a comma list of statuses, and what we read them as.
RC_STATUS_TYPOS = {
    # "400.403": a dot for the comma of "400, 403" (the cell style of CMN-101/CMN-102).
    "400.403": {
        "http": 400,
        "origin": "documented",
        "documented": (400, 403),
        "rule": "table cell `400.403` read as `400, 403` (dot typo for the comma); first status used",
        "note": "status cell `400.403` in the seed is a typo for `400, 403`; 400 is used",
    },
    # "4003": one digit too many; CMN-408 is a permission error like CMN-401..CMN-404 (all 403).
    "4003": {
        "http": 403,
        "origin": "inferred",
        "documented": (),
        "rule": "table cell `4003` is a typo for 403: permission errors (CMN-401..CMN-404) are 403",
        "note": "status cell `4003` in the seed is not an HTTP status; read as 403 (permission)",
    },
}
_RC_STATUS_LIST = re.compile(r"\d{3}(, \d{3})*")

# Messages that must differ from the seed. CMN-408 writes `{permissionName}` without the `$`
# every other placeholder has; OAU-140 and OAU-123 are what the token endpoint really sends
# (a capture wins over the seed; docs/vendors/ringcentral.md lists each).
RC_MESSAGE_FIXES = {
    "CMN-408": (
        "[${permissionName}] permission required",
        "seed message `[{permissionName}] permission required` lacks the `$` of a placeholder; "
        "stored as `${permissionName}` so the permission name is filled in",
    ),
    # vendors.md 1.3 B: the captured body (Content-Length: 199) has no trailing period.
    "OAU-140": (
        "Invalid resource owner credentials",
        "seed message ends with a period; the captured wire text (199-byte body, "
        "github.com/ringcentral/ringcentral-java/issues/24) has none, and the capture wins",
    ),
    # vendors.md 1.3 B: invalid_client without client credentials, ringcentral-api-docs PR 33.
    "OAU-123": (
        "Client authentication is required",
        "seed message is `Invalid Authorization header value: ${parameter}`; the captured "
        "answer (github.com/ringcentral/ringcentral-api-docs/pull/33) says `Client "
        "authentication is required`, and the capture wins",
    ),
}

# Statuses that must differ from the seed's first listed status, because a capture shows it.
RC_STATUS_FIXES = {
    # vendors.md 1.3 A: the batch-request sample (ringcentral-api-docs
    # code-samples/basics/batch-request-get-2.txt) answers a missing messageId with HTTP 404.
    "CMN-102": (
        404,
        "the table lists `400, 404`; a missing resource is HTTP 404 in the capture "
        "(vendors.md 1.3 A), which wins over the first listed status",
    ),
}

# Codes some APIs wrap: a semantic word at the top level, the catalogued code only inside
# `errors[]` (vendors.md 1.3 A). The REST envelope puts `top_code` on top for these.
RC_TOP_CODES = {
    # Ruby SDK report "TokenInvalid: OAU-213 (Token not found)" for an unknown bearer token.
    "OAU-213": "TokenInvalid",
}

RC_PREFIX_TAGS = {
    "CLG": ("voice",),  # call log
    "CMN": (),  # common: the status class says enough
    "MSG": ("messaging",),
    "OAU": ("oauth", "auth"),
    "SUB": ("webhook",),  # subscriptions = webhook/push notification setup
    "AGW": ("gateway",),
}
RC_KEYWORDS = (
    (re.compile(r"(?i)limit"), ("limit",)),
    (re.compile(r"(?i)\bfax\b|attachment"), ("media",)),
    (re.compile(r"(?i)extension|account is locked"), ("account",)),
)
# 5xx entries whose text says the condition is temporary; the other 5xx are deterministic.
RC_TRANSIENT = {
    "CMN-201": "Service temporarily unavailable: retry later with backoff.",
    "CMN-203": "Internal server error: a transient failure, retry with backoff.",
    "MSG-290": "The text says to try later: the SMS gateway failure is temporary.",
}


def rc_status(cell: str) -> tuple[Entry, list[str]]:
    """Status fields (and notes) from a table cell such as `400`, `400, 403` or a typo."""
    if cell in RC_STATUS_TYPOS:
        typo = RC_STATUS_TYPOS[cell]
        info = status(typo["http"], typo["origin"], typo["rule"], typo["documented"])
        return info, [typo["note"]]
    if not _RC_STATUS_LIST.fullmatch(cell):
        raise ValueError(
            f"RingCentral status cell {cell!r} is neither a status list nor a known typo"
        )
    listed = [int(s) for s in cell.split(", ")]
    rule = "status listed in the table" if len(listed) == 1 else "first of the statuses listed"
    return status(listed[0], "documented", rule, listed), []


def rc_retry(code: str, http: int) -> Entry:
    """429 and temporary 5xx are worth repeating; client errors and 501 are not."""
    if http == 429:
        return retry(True, "429: wait for Retry-After (RingCentral says at least 30 s) and retry.")
    if code in RC_TRANSIENT:
        return retry(True, RC_TRANSIENT[code])
    if http == 501:
        return retry(False, "The operation is not supported: repeating it cannot succeed.")
    if http >= 500:
        return retry(False, "A server error caused by the request content: it fails again as is.")
    if http == 401:
        return retry(
            False, "Authentication failed: fix or refresh credentials before a new request."
        )
    return retry(
        False, "Client error: the request or the account must change before it can succeed."
    )


def rc_tags(code: str, message: str, statuses: Iterable[int]) -> list[str]:
    prefix = RC_PREFIX_TAGS.get(code[:3], ())
    by_status = [t for s in statuses for t in STATUS_TAGS.get(s, ())]
    return unique([*prefix, *by_status, *keyword_tags(message, RC_KEYWORDS)])


def ringcentral_entry(row: Row) -> Entry:
    code, message = row["code"], row["message"]
    fields, notes = rc_status(row["status"])
    entry: Entry = {"key": code, "code": code, "message": message}
    if code in RC_MESSAGE_FIXES:
        entry["message"], note = RC_MESSAGE_FIXES[code]
        entry["seed_message"] = message
        notes.append(note)
    if code in RC_STATUS_FIXES:
        http, rule = RC_STATUS_FIXES[code]
        fields = {**fields, **status(http, "documented", rule, fields["status"]["documented"])}
        notes.append(rule)
    statuses = fields["status"]["documented"] or [fields["http_status"]]
    return {
        **entry,
        **fields,
        "delivery": "sync",  # every RingCentral table code is an HTTP error answer
        "error": True,
        **rc_retry(code, fields["http_status"]),
        "tags": rc_tags(code, entry["message"], statuses),
        "source_line": row["line"],
        "top_code": RC_TOP_CODES.get(code),
        "notes": notes + RC_EXTRA_NOTES.get(code, []),
    }


RC_EXTRA_NOTES = {
    "OAU-140": [
        "listed as 401, but the token endpoint answers it with HTTP 400 in real captures "
        "(vendors.md 1.3 B); the oauth envelope applies the 400"
    ],
}

_TOKEN_400 = (
    "token-endpoint failures are HTTP 400 in every real capture (vendors.md 1.3 B); "
    "this capture quotes the body only"
)
RC_EXTRAS: list[Entry] = [
    {
        "code": "AGW-404",
        "message": "Resource not found",
        **status(404, "documented", "gateway answer for an unknown path (vendors.md 1.3 C)", [404]),
        **retry(False, "The path does not exist: the request must change."),
        "tags": ["gateway", "not-found"],
        "source": "vendors.md 1.3 C [spec]: saved HTTP 404 response in ringcentral-api-docs "
        'docs/postman/specs/ringcentral_rest_apis_postman_collection.json ("Fetch access_token")',
    },
    {
        "code": "OAU-210",
        "message": "Token expired",
        **status(400, "documented", _TOKEN_400),
        **retry(False, "The refresh token has expired: log in again instead of repeating."),
        "tags": ["oauth", "auth"],
        "source": "vendors.md 1.3 B [obs]: invalid_grant body captured at "
        "https://community.ringcentral.com/articles/117372/my-access-token-expired-error-oau-210-"
        "what-do-i-do.html",
    },
    {
        "code": "OAU-213",
        "message": "Token not found",
        "top_code": RC_TOP_CODES["OAU-213"],
        **status(
            401,
            "inferred",
            "invalid or revoked bearer token on a resource call: 401 like "
            "OAU-128/OAU-129 (vendors.md 1.3 A, body shape and status inferred)",
        ),
        **retry(False, "The token is unknown: obtain a new token before a new request."),
        "tags": ["oauth", "auth"],
        "source": 'vendors.md 1.3 A [obs]: Ruby SDK error "TokenInvalid: OAU-213 (Token not '
        'found)", https://community.ringcentral.com/questions/1221/tokeninvalid-oau-213-token-not-'
        "found.html; HTTP 401 and body shape are [inferred]",
    },
    {
        "code": "OAU-251",
        "message": "Unauthorized for this grant type",
        **status(400, "documented", "HTTP 400 in the captures (vendors.md 1.3 B)", [400]),
        **retry(False, "The application may not use this grant type: change the grant."),
        "tags": ["oauth", "auth", "permission"],
        "source": "vendors.md 1.3 B [obs]: unauthorized_client, HTTP 400, "
        "https://github.com/ringcentral/ringcentral-web-phone/issues/116 and /issues/386",
    },
    {
        "code": "OAU-153",
        "message": "Invalid client: ",
        **status(400, "documented", _TOKEN_400),
        **retry(False, "The client id is invalid: fix the credentials."),
        "tags": ["oauth", "auth"],
        "source": "vendors.md 1.3 B [obs]: invalid_client body captured at "
        "https://community.ringcentral.com:443/answers/3501/view.html",
        "notes": [
            'message ends with ": " exactly as captured (the client id is not appended); the '
            "captured errors[] item carries parameters[] with client_id"
        ],
    },
]


# Captured answers whose wording differs from a table row with the same code: kept next to
# that row under their own key, so `CMN-401` stays the seed's row and `CMN-401/2` the capture.
RC_OBSERVED_VARIANTS: list[Entry] = [
    {
        "key": "CMN-401/2",
        "code": "CMN-401",
        "top_code": "InsufficientPermissions",
        "message": "In order to call this API endpoint, application needs to have "
        "[${permissionName}] permission",
        **status(403, "documented", "HTTP 403 in the capture (vendors.md 1.3 A)", [403]),
        **retry(False, "The application lacks the permission: add it to the app first."),
        "tags": ["permission"],
        "variant": 2,
        "source": "vendors.md 1.3 A [doc]: ringcentral-api-docs docs/voice/call-log/access.md, "
        "HTTP 403 with top-level errorCode InsufficientPermissions and CMN-401 in errors[]",
    },
    {
        "key": "MSG-246",
        "code": "MSG-246",
        "top_code": "InvalidParameter",
        "message": "Sending SMS from/to extension numbers is not available",
        **status(
            400,
            "inferred",
            "the capture quotes the body only; 400 like the other SMS parameter errors",
        ),
        **retry(False, "Extension numbers cannot send or receive SMS: change the number."),
        "tags": ["messaging", "validation"],
        "source": "vendors.md 1.3 A [obs]: "
        "https://github.com/ringcentral/ringcentral-js-integration-commons/issues/205, "
        "top-level errorCode InvalidParameter with MSG-246 in errors[]",
    },
]


def ringcentral_entries(rows: list[Row]) -> list[Entry]:
    """Table rows, then the captured codes the table lacks."""
    captured = [*RC_EXTRAS, *RC_OBSERVED_VARIANTS]
    extras = [{"key": e["code"], **e, "delivery": "sync", "error": True} for e in captured]
    return [ringcentral_entry(row) for row in rows] + extras


# =====================================================================================
# Yeastar P-Series (vendors.md 2.2-2.3)
# =====================================================================================

YEASTAR = {
    "name": "Yeastar P-Series",
    "page": "https://help.yeastar.com/en/p-series-appliance-edition/developer-guide/response-result.html",
    "envelopes": ["errcode"],
    "status_policy": (
        "Every answer is HTTP 200 with `errcode`/`errmsg` in the body; `errcode` 0 is success and "
        "any other value an error (1 PARTIAL SUCCESS and 2 PROCESSING are non-error statuses). The "
        "P-Series docs only state the 200 for success; that errors are also HTTP 200 is inferred "
        'from the older S-Series API docs ("HTTP 200 OK for error responses") and P-Series '
        "integrator reports (vendors.md 2.3), so every status is origin inferred. All codes are "
        "synchronous answers; events carry call states, not errcodes."
    ),
}
YS_RULE = (
    "P-Series answers HTTP 200 with errcode != 0 for errors (vendors.md 2.3; inferred from "
    "S-Series docs and integrator reports)"
)
YS_NON_ERRORS = {"0", "1", "2"}
YS_KEYWORDS = (
    (re.compile(r"SUCCESS"), ("success",)),
    (re.compile(r"SERVER ERROR"), ("server",)),
    (re.compile(r"TOKEN"), ("auth",)),
    (re.compile(r"NOT EXIST|NOT_EXIST|NOT FOUND|DOES NOT EXIST"), ("not-found",)),
    (re.compile(r"DENIED|FORBID|BLOCKED|NO PERMISSION|NOT ALLOWED"), ("permission",)),
    (
        re.compile(r"DUPLICATE|ALREADY EXISTS|RELATION_EXISTED|HAS BEEN|CHECKIN|PMS CONNECT"),
        ("conflict",),
    ),
    (re.compile(r"LIMIT|EXCEEDED|OVERLOAD"), ("limit",)),
    (
        re.compile(r"PARAMETER|INVALID|CANNOT BE|SYNTAX|INCORRECT|ONLY ONE|IN THE PAST"),
        ("validation",),
    ),
    (
        re.compile(r"UNSUPPORTED|NOT SUPPORTED|UNAVAILABLE|NOT ENABLED|DISABLED|MAINTENANCE"),
        ("unsupported",),
    ),
    (re.compile(r"CHANNEL ID|CAHNNEL|PARTICIPANTS|WAKEUP|RECORDING|IVR|PROMPT"), ("voice",)),
    (re.compile(r"MESSAGE|SESSION|CONVERSATION|RECIPIENT|SENDING"), ("messaging",)),
)
# Codes the keywords cannot place.
YS_TAGS = {
    "-1": [
        "auth",
        "validation",
    ],  # generic FAILURE; get_token answers bad credentials with it (2.2)
}
YS_RETRY = {
    "-2": retry(True, "Internal server error on the PBX: transient, retry with backoff."),
    "2": retry(True, "The request is still being processed: poll again later."),
    "10004": retry(True, "The access token expired: get a new token, then repeat the request."),
    "70082": retry(True, "An overload task is running on the PBX: retry once it has finished."),
    "70651": retry(True, "Too many concurrent recording downloads: retry when one has finished."),
}
YS_NOTES = {
    "60002": ["the description wraps onto the next seed line; joined with one space"],
    "70091": ["the description wraps onto the next seed line; joined with one space"],
    "70130": ["`CAHNNEL` is the vendor's typo, kept verbatim"],
}


def ys_tags(code: str, message: str) -> list[str]:
    tags = YS_TAGS.get(code) or keyword_tags(message, YS_KEYWORDS)
    return unique(tags) or ["validation"]


def ys_retry(code: str) -> Entry:
    if code in YS_RETRY:
        return YS_RETRY[code]
    if code in YS_NON_ERRORS:
        return (
            NOT_AN_ERROR
            if code == "0"
            else retry(False, "Partial success: repeat only the failed part.")
        )
    return retry(
        False, "The errcode describes the request or PBX state: the same request fails again."
    )


def yeastar_entry(row: Row) -> Entry:
    code = row["code"]
    error = code not in YS_NON_ERRORS
    notes = list(YS_NOTES.get(code, [])) + ([] if error else ["non-error status"])
    return {
        "key": code,
        "code": code,
        "message": row["message"],
        **status(200, "inferred", YS_RULE),
        "delivery": "sync",
        "error": error,
        **ys_retry(code),
        "tags": ["success"] if not error else ys_tags(code, row["message"]),
        "source_line": row["line"],
        "description": row["description"],
        "notes": notes,
    }


def yeastar_entries(rows: list[Row]) -> list[Entry]:
    return [yeastar_entry(row) for row in rows]


# =====================================================================================
# SignalWire Compatibility API (vendors.md 3.1)
# =====================================================================================

SIGNALWIRE = {
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


def signalwire_entries(rows: list[Row]) -> list[Entry]:
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


# =====================================================================================
# Fone Dynamics (vendors.md 4)
# =====================================================================================

FONEDYNAMICS = {
    "name": "Fone Dynamics",
    "page": "https://www.fonedynamics.com/docs/rest-api/errors",
    "envelopes": ["responsestatus"],
    "status_policy": (
        "The docs list only 400 (missing or invalid data), 401 (wrong or missing credentials), 403 "
        "(missing permissions or an invalid state) and 500, never per ErrorCode. The mapping is "
        "inferred (vendors.md 4): FORBIDDEN, INVALID_PERMISSIONS, "
        "PERMISSION_EXCEEDS_ACCESS_BOUNDARY, NO_SMS_AGREEMENT, SMS_NOT_ENABLED, "
        "PROJECT_LIMIT_REACHED, NUMBER_BELONGS_TO_DIFFERENT_PROPERTY and ADDRESS_CANNOT_BE_DELETED "
        "-> 403; every other code, *_NOT_FOUND included (no 404 is documented), -> 400. The "
        "ErrorCode of a 401 and of a 500 is not documented. The wire `Message` texts are not "
        "published either; entries use the published description."
    ),
}
FD_FORBIDDEN = {
    "FORBIDDEN",
    "INVALID_PERMISSIONS",
    "PERMISSION_EXCEEDS_ACCESS_BOUNDARY",
    "NO_SMS_AGREEMENT",
    "SMS_NOT_ENABLED",
    "PROJECT_LIMIT_REACHED",
    "NUMBER_BELONGS_TO_DIFFERENT_PROPERTY",
    "ADDRESS_CANNOT_BE_DELETED",
}
FD_KEYWORDS = (
    (re.compile(r"_NOT_FOUND$|_WAS_DELETED$"), ("not-found",)),
    (re.compile(r"^(PARAMETER_|INVALID_|UNKNOWN_)|_PARAMETERS|OUT_OF_RANGE"), ("validation",)),
    (re.compile(r"FORBIDDEN|PERMISSION|BELONGS_TO"), ("permission",)),
    (re.compile(r"SMS|MESSAGE"), ("messaging",)),
    (re.compile(r"CALL_|SIP_TRUNK|WHISPER"), ("voice",)),
    (re.compile(r"CONFLICTING|_EXISTS$|CANNOT_BE_DELETED"), ("conflict",)),
    (re.compile(r"LIMIT|ALLOCATION"), ("limit",)),
    (re.compile(r"AGREEMENT|ACCOUNT|NOT_OWNED"), ("account",)),
    (re.compile(r"UNAVAILABLE|NOT_ENABLED"), ("unsupported",)),
)
FD_NOTE = "wire Message text is undocumented; the published description is used [inferred]"


def fd_status(code: str) -> Entry:
    if code in FD_FORBIDDEN:
        return status(403, "inferred", "missing permission or invalid state -> 403 (vendors.md 4)")
    return status(
        400, "inferred", "missing or invalid data -> 400; no 404 is documented (vendors.md 4)"
    )


def fd_retry(code: str) -> Entry:
    if code == "NUMBER_ALLOCATION_FAILED":
        return retry(
            True, "No originating number was free: a later attempt may get one [inferred]."
        )
    return retry(False, "The request or account state must change before it can succeed.")


def fonedynamics_entry(row: Row) -> Entry:
    code = row["code"]
    fields = fd_status(code)
    by_status = STATUS_TAGS[403] if fields["http_status"] == 403 else ()
    tags = unique([*keyword_tags(code, FD_KEYWORDS), *by_status]) or ["validation"]
    return {
        "key": code,
        "code": code,
        "message": row["description"],
        **fields,
        "delivery": "sync",
        "error": True,
        **fd_retry(code),
        "tags": tags,
        "source_line": row["line"],
        "notes": [FD_NOTE],
    }


def fonedynamics_entries(rows: list[Row]) -> list[Entry]:
    return [fonedynamics_entry(row) for row in rows]


# =====================================================================================
# Webex Connect (vendors.md 5)
# =====================================================================================

WEBEXCONNECT = {
    "name": "Webex Connect",
    "page": "https://help.webexconnect.io/docs/references-api-codes",
    "envelopes": ["v1", "v2"],
    "status_policy": (
        "Webex Connect documents only a generic set of HTTP statuses (200, 400, 401, 403, 500 with "
        "body fields code/description/transid); which one accompanies each code is not "
        "documented, so every status is inferred (vendors.md 5): success and receipt codes (1000, "
        "1001, 1002, 7500-7502) -> 200; 7001 authentication failed and 7002 service key missing -> "
        "401; 7007 service inactive, 7008 inactive profile and 7010 source IP not allowed -> 403; "
        "internal / unknown errors (7006, 7011 Unknown exception, 7016, the Event section's 7005, "
        '7010\'s "Service provider exception") -> 500; everything else -> 400. Codes of the '
        "Transaction Status section and codes >= 7100 arrive only in delivery notifications "
        "(async); their status is the one they would have if forced onto an HTTP answer."
    ),
}
WX_RULE = "generic 200/400/401/403/500 set of the docs (vendors.md 5), per-code mapping inferred: "
WX_SUCCESS = {"1000", "1001", "1002", "7500", "7501", "7502"}
WX_STATUS = {
    "7001": 401,
    "7002": 401,
    "7007": 403,
    "7008": 403,
    "7010": 403,
    "7006": 500,
    "7016": 500,
}
WX_SERVER_MESSAGES = {
    "internal error occurred",
    "internal server error",
    "service provider exception",
    "unknown exception",
    "unknown error",
}
WX_SECTION_TAGS = {
    "messaging": ("messaging",),
    "transaction-status": ("delivery",),
    "event": ("event",),
    "profile": ("profile",),
}
WX_RANGE_TAGS = (
    ((7001, 7002), ("auth",)),
    ((7007, 7008), ("account",)),
    ((7200, 7214), ("delivery",)),  # operator delivery failures
    ((7301, 7307), ("delivery",)),
    ((7401, 7404), ("voice",)),
    ((7503, 7518), ("push",)),
    ((7600, 7643), ("ott",)),
)
WX_KEYWORDS = (
    (re.compile(r"(?i)not found|no results|does not exist|unknown subscriber"), ("not-found",)),
    (re.compile(r"(?i)rate limit|too many"), ("rate-limit",)),
    (re.compile(r"(?i)limit|exceed|too (large|long|big)|maximum"), ("limit",)),
    (re.compile(r"(?i)credit|billing|rate plan"), ("billing",)),
    (re.compile(r"(?i)already exists|duplicate"), ("conflict",)),
    (re.compile(r"(?i)credentials|authentication"), ("auth",)),
    (re.compile(r"(?i)allowed list|not enabled|inactive"), ("permission",)),
    (re.compile(r"(?i)invalid|missing|mandatory|empty|is required"), ("validation",)),
    (re.compile(r"(?i)expired"), ("timeout",)),
    (re.compile(r"(?i)not reachable|coverage"), ("network",)),
    (re.compile(r"(?i)media|image|audio|video|thumbnail|payload"), ("media",)),
)
WX_RETRY = re.compile(
    r"(?i)rate limit|too many|server error|internal|unknown exception|unknown error|"
    r"service provider exception|busy|no answer|coverage|not reachable|cloud specific"
)
WX_NOTES = {
    "7208": [
        "code 7208 has two meanings in the seed: 'Source ip is not in the allowed list' "
        "and 'Message expired'"
    ],
    "7601": [
        "code 7601 has two meanings in the seed: a service key/transaction mismatch and "
        "'Verification failed'"
    ],
    "7628": ["7628 and 7629 have identical message and description text in the seed"],
    "7629": ["7628 and 7629 have identical message and description text in the seed"],
    "7005": ["7005 means 'Request expired' in Messaging but 'Internal error occurred' in Event"],
    "7011": [
        "7011 means 'Unknown exception' in Messaging/Transaction Status but 'Invalid "
        "Attribute Value' (and a status value error) in Profile"
    ],
}
WX_TEXT_NOTES = {
    "Submited": "'Submited' is the vendor's typo for 'Submitted', kept verbatim",
    "Span content detected": "'Span' is the vendor's typo for 'Spam', kept verbatim",
}
# Seed texts the wire contradicts; the documented wording wins (docs/vendors/webexconnect.md).
WX_MESSAGE_FIXES = {
    # vendors.md 5: the Event API answers "1002 Queued" (developers.webexconnect.io/reference/
    # event-api-overview); the seed's "Queues" is a typo. 1002 is "Partial success" in Profile.
    "Queues": (
        "Queued",
        "seed message 'Queues' is a typo: the Event API documents 1002 'Queued', which is sent",
    ),
}
# Wording of the newer `{code, message}` APIs (family v2) where it differs from the v1 text.
WX_FAMILY_MESSAGES = {
    # vendors.md 5 [doc: get-sms-api-v1]: {"code":"7001","message":"Authentication failed."}.
    "7001": [{"family": "v2", "message": "Authentication failed."}],
}


def wx_delivery(row: Row) -> str:
    """Transaction Status rows and codes >= 7100 are reported in delivery notifications."""
    return "async" if row["section"] == "transaction-status" or int(row["code"]) >= 7100 else "sync"


def wx_status(code: str, message: str, delivery: str) -> Entry:
    rule = WX_RULE + ("status if forced onto an HTTP answer: " if delivery == "async" else "")
    if code in WX_SUCCESS:
        return status(200, "inferred", rule + "success / receipt -> 200")
    if message.strip().lower() in WX_SERVER_MESSAGES:
        return status(500, "inferred", rule + "internal / unknown error -> 500")
    if code in WX_STATUS:
        http = WX_STATUS[code]
        return status(http, "inferred", rule + ("auth -> 401" if http == 401 else f"-> {http}"))
    return status(400, "inferred", rule + "request/delivery error -> 400")


def wx_retry(code: str, message: str, http: int) -> Entry:
    if code in WX_SUCCESS:
        partial = message == "Partial success"
        return (
            retry(False, "Partial success: repeat only the failed profiles.")
            if partial
            else NOT_AN_ERROR
        )
    if http == 401:
        return retry(False, "Authentication failed: fix the service key before a new request.")
    if http == 500 or WX_RETRY.search(message):
        return retry(True, "A transient condition (server, rate, reachability): retry later.")
    return retry(False, "The request, destination or account must change before it can succeed.")


def wx_tags(row: Row, http: int, delivery: str) -> list[str]:
    """Section, range and keyword tags; the status class only where the status is real-ish."""
    code, message, section = int(row["code"]), row["message"], WX_SECTION_TAGS[row["section"]]
    if row["code"] in WX_SUCCESS:
        return unique(["success", *section])
    ranged = [t for (lo, hi), tags in WX_RANGE_TAGS if lo <= code <= hi for t in tags]
    found = [*ranged, *status_tags(http, delivery), *keyword_tags(message, WX_KEYWORDS)]
    return unique([*section, *(found or STATUS_TAGS[http])])


def wx_notes(row: Row) -> list[str]:
    notes = list(WX_NOTES.get(row["code"], []))
    notes += [note for text, note in WX_TEXT_NOTES.items() if text in row["message"]]
    return notes


def webexconnect_entry(row: Row, variant: int) -> Entry:
    code, message = row["code"], row["message"]
    delivery = wx_delivery(row)
    fields = wx_status(code, message, delivery)
    fixed, fix_note = WX_MESSAGE_FIXES.get(message, (message, None))
    return {
        "key": code if variant == 1 else f"{code}/{variant}",
        "code": code,
        "message": fixed,
        "seed_message": message if fix_note else None,
        "family_messages": WX_FAMILY_MESSAGES.get(code, []),
        **fields,
        "delivery": delivery,
        "error": code not in WX_SUCCESS,
        **wx_retry(code, message, fields["http_status"]),
        "tags": wx_tags(row, fields["http_status"], delivery),
        "source_line": row["line"],
        "description": row["description"],
        "section": row["section"],
        "variant": variant,
        "notes": wx_notes(row) + ([fix_note] if fix_note else []),
    }


def webexconnect_entries(rows: list[Row]) -> list[Entry]:
    """The first row of a code keys as the code, later rows (any section) as `<code>/<n>`."""
    seen: dict[str, int] = {}
    entries = []
    for row in rows:
        seen[row["code"]] = seen.get(row["code"], 0) + 1
        entries.append(webexconnect_entry(row, seen[row["code"]]))
    return entries


# vendor -> (file metadata, entry builder)
POLICIES: dict[str, tuple[dict[str, Any], Callable[[list[Row]], list[Entry]]]] = {
    "ringcentral": (RINGCENTRAL, ringcentral_entries),
    "yeastar": (YEASTAR, yeastar_entries),
    "signalwire": (SIGNALWIRE, signalwire_entries),
    "fonedynamics": (FONEDYNAMICS, fonedynamics_entries),
    "webexconnect": (WEBEXCONNECT, webexconnect_entries),
}
