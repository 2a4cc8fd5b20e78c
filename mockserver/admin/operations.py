"""`GET /__admin/catalog/{vendor}/operations`: every operation a vendor serves, and by whom."""

from __future__ import annotations

from aiohttp import web

from mockserver.admin.common import AdminInputError, services_of
from mockserver.admin.models import OperationRow, OperationSource, OperationsPage
from mockserver.operations.router import generic_router
from mockserver.operations.table import Operation
from mockserver.vendors.base import Vendor


async def operations_list(request: web.Request) -> OperationsPage:
    """The vendor's operation tables, each operation marked hand-written or generic."""
    services = services_of(request)
    name = request.match_info["vendor"]
    vendor = services.vendors.get(name)
    if vendor is None:
        message = f"no vendor {name!r}; vendors: {', '.join(services.vendors)}"
        raise AdminInputError(404, "unknown_vendor", message)
    ops = generic_router(vendor).operations.operations
    rows = [_row(vendor, op) for op in ops]
    hand = sum(1 for r in rows if r["served_by"] == "hand")
    return {
        "vendor": name,
        "count": len(rows),
        "hand": hand,
        "generic": len(rows) - hand,
        "tables": _tables(ops),
        "operations": rows,
        "routes": _unlisted_routes(vendor, ops),
    }


def _row(vendor: Vendor, op: Operation) -> OperationRow:
    return {
        "id": op.id,
        "method": op.method,
        "path": op.path,
        "action": op.action,
        "served_by": "hand" if _hand(vendor, op) else "generic",
        "table": op.table.name,
    }


def _hand(vendor: Vendor, op: Operation) -> bool:
    """Whether a hand-written route answers the operation (asked with sample ids)."""
    router = vendor.router()
    if router is None:
        return False
    found = [router.find(op.method, op.example_path(v)) for v in ("1", "~")]
    return any(f is not None and not f[0].fallback for f in found)


def _tables(ops: list[Operation]) -> list[OperationSource]:
    counts: dict[str, OperationSource] = {}
    for op in ops:
        table = op.table
        row = counts.setdefault(
            table.name,
            {
                "table": table.name,
                "style": table.style,
                "operations": 0,
                "source": dict(table.source),
            },
        )
        row["operations"] += 1
    return list(counts.values())


def _unlisted_routes(vendor: Vendor, ops: list[Operation]) -> list[str]:
    """Hand-written routes no table operation describes (ones the vendor does not document)."""
    router = vendor.router()
    if router is None:
        return []
    samples = [(op.method, op.example_path(v)) for op in ops for v in ("1", "~")]
    return [
        f"{r.method} {r.pattern.pattern}"
        for r in router.routes
        # the compat API's 20004 answers for methods a path lacks are no operations
        if not r.fallback and not any(m == r.method and r.pattern.fullmatch(p) for m, p in samples)
    ]
