"""RingCentral (vendors.md 1.3-1.5): catalog policy — HTTP status, delivery, tags, retryability, notes per code."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from mockserver.catalog.policy import STATUS_TAGS, Entry, Row, keyword_tags, retry, status, unique

META = {
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
RC_STATUS_TYPOS: dict[str, dict[str, Any]] = {
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


def entries(rows: list[Row]) -> list[Entry]:
    """Table rows, then the captured codes the table lacks."""
    captured = [*RC_EXTRAS, *RC_OBSERVED_VARIANTS]
    extras = [{"key": e["code"], **e, "delivery": "sync", "error": True} for e in captured]
    return [ringcentral_entry(row) for row in rows] + extras
