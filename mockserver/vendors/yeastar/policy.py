"""Yeastar P-Series (vendors.md 2.2-2.3): catalog policy — HTTP status, delivery, tags, retryability, notes per code."""

from __future__ import annotations

import re

from mockserver.catalog.policy import NOT_AN_ERROR, Entry, Row, keyword_tags, retry, status, unique

META = {
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


def entries(rows: list[Row]) -> list[Entry]:
    return [yeastar_entry(row) for row in rows]
