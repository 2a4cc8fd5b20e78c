"""Fone Dynamics (vendors.md 4): catalog policy — HTTP status, delivery, tags, retryability, notes per code."""

from __future__ import annotations

import re

from mockserver.catalog.policy import STATUS_TAGS, Entry, Row, keyword_tags, retry, status, unique

META = {
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


def entries(rows: list[Row]) -> list[Entry]:
    return [fonedynamics_entry(row) for row in rows]
