"""Webex Connect (vendors.md 5): catalog policy — HTTP status, delivery, tags, retryability, notes per code."""

from __future__ import annotations

import re

from mockserver.catalog.policy import (
    NOT_AN_ERROR,
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


def entries(rows: list[Row]) -> list[Entry]:
    """The first row of a code keys as the code, later rows (any section) as `<code>/<n>`."""
    seen: dict[str, int] = {}
    entries = []
    for row in rows:
        seen[row["code"]] = seen.get(row["code"], 0) + 1
        entries.append(webexconnect_entry(row, seen[row["code"]]))
    return entries
