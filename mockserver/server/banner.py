"""The start-up banner: where each vendor lives, what it serves, which scenario files loaded."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from mockserver import __version__
from mockserver.server.services import Services
from mockserver.store.shared.errors import redacted


def banner_items(services: Services, url: str, vendor_urls: dict[str, str]) -> list[dict[str, Any]]:
    """One item per banner line: `message` is the text line, the rest its structured fields."""
    items: list[dict[str, Any]] = [
        {
            "message": f"mockserver {__version__} listening on {url}",
            "event": "listening",
            "version": __version__,
            "url": url,
        }
    ]
    for name, vendor in services.vendors.items():
        cat = services.catalog.vendor(name)
        where = vendor_urls.get(name, f"/{name}")
        codes = len({e.code for e in cat})
        families = list(vendor.families)
        items.append(
            {
                "message": f"  {name:<13} {where:<24} {len(cat):>5} entries {codes:>5} codes"
                f"   envelopes: {', '.join(families)}",
                "event": "vendor",
                "vendor": name,
                "url": where,
                "entries": len(cat),
                "codes": codes,
                "envelopes": families,
            }
        )
    admin = "health, catalog, scenarios, requests"
    items.append(
        {
            "message": f"  {'admin':<13} {'/__admin':<24} {admin}",
            "event": "admin",
            "url": "/__admin",
        }
    )
    return items + _store_items(services) + _scenario_items(services)


def _store_items(services: Services) -> list[dict[str, Any]]:
    """Where the state lives, when it is shared (in memory needs no line)."""
    if services.shared is None:
        return []
    url, workers = redacted(services.shared.link.url), services.settings.workers
    many = f", {workers} workers" if workers > 1 else ""
    return [
        {
            "message": f"  {'store':<13} {url}{many} (state shared by every replica)",
            "event": "store",
            "url": url,
            "workers": workers,
        }
    ]


def _scenario_items(services: Services) -> list[dict[str, Any]]:
    """What rules serve: the shipped defaults in one line, then each --scenarios file."""
    items: list[dict[str, Any]] = []
    if services.defaults:
        files, rules = len(services.defaults), sum(n for _, n in services.defaults)
        items.append(
            {
                "message": f"  {'defaults':<13} {files} files, {_rules(rules)} (--no-defaults: none)",
                "event": "defaults",
                "files": files,
                "rules": rules,
            }
        )
    for file, rules in services.files.counts if services.files else []:
        items.append(
            {
                "message": f"  {'scenarios':<13} {file:<24} {_rules(rules)}",
                "event": "scenario_file",
                "file": file,
                "rules": rules,
            }
        )
    return items


def _rules(n: int) -> str:
    return f"{n} rule" if n == 1 else f"{n} rules"


def banner(services: Services, url: str, vendor_urls: dict[str, str], log_format: str) -> str:
    """The banner as text lines, or as JSON lines shaped like the JSON log's (`--log-format`)."""
    items = banner_items(services, url, vendor_urls)
    if log_format != "json":
        return "\n".join(item["message"] for item in items)
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    head = {"time": now, "level": "info", "logger": "mockserver"}
    lines = [{**head, **item, "message": item["message"].strip()} for item in items]
    return "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
