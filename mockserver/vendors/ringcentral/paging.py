"""RingCentral list answers: `uri`, `records`, `paging` and `navigation` from page/perPage."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from mockserver.vendors.kit.call import Call
from mockserver.vendors.ringcentral.wire import base_url, is_digits, reject_invalid

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000
# a page number past this is certainly a typo; it also keeps int() far from its size limit
_MAX_PAGE = 999_999_999
# Lists answered with the spec's EnumeratedPagingModel (call log, phone numbers) cap `paging.page`
# at 1000, so a later page could not be described: such lists refuse it like any bad page number.
ENUMERATED_MAX_PAGE = 1000


def _positive(call: Call, name: str, default: int, maximum: int) -> int:
    raw = call.snapshot.query.get(name)
    if raw is None:
        return default
    if not is_digits(raw) or len(raw) > 9 or not 1 <= int(raw) <= maximum:
        reject_invalid(call, name, raw)
    return int(raw)


def page_params(call: Call, max_page: int = _MAX_PAGE) -> tuple[int, int]:
    """`page` (1..max_page) and `perPage` (1..1000, default 100); CMN-101 for anything else."""
    return _positive(call, "page", 1, max_page), _positive(
        call, "perPage", DEFAULT_PER_PAGE, MAX_PER_PAGE
    )


def _link(call: Call, path: str, page: int, per_page: int) -> dict[str, str]:
    query = [(k, v) for k, v in call.snapshot.query_all if k not in ("page", "perPage")]
    query += [("page", str(page)), ("perPage", str(per_page))]
    return {"uri": f"{base_url(call)}{path}?{urlencode(query)}"}


def _request_uri(call: Call, path: str) -> str:
    query = urlencode(call.snapshot.query_all)
    return f"{base_url(call)}{path}" + (f"?{query}" if query else "")


def paginate(
    call: Call, records: list[dict[str, Any]], path: str, max_page: int = _MAX_PAGE
) -> dict[str, Any]:
    """The list answer for `records` (already filtered and ordered) at `path`."""
    page, per_page = page_params(call, max_page)
    total = len(records)
    pages = -(-total // per_page)
    start = (page - 1) * per_page
    chunk = records[start : start + per_page]
    paging: dict[str, Any] = {
        "page": page,
        "totalPages": pages,
        "perPage": per_page,
        "totalElements": total,
    }
    if chunk:  # RingCentral leaves the bounds out of an empty page
        paging.update(pageStart=start, pageEnd=start + len(chunk) - 1)
    navigation = {"firstPage": _link(call, path, 1, per_page)}
    if page < pages:
        navigation["nextPage"] = _link(call, path, page + 1, per_page)
    if 1 < page <= pages + 1:
        navigation["previousPage"] = _link(call, path, page - 1, per_page)
    navigation["lastPage"] = _link(call, path, max(pages, 1), per_page)
    return {
        "uri": _request_uri(call, path),
        "records": chunk,
        "paging": paging,
        "navigation": navigation,
    }
