"""Shared golden-file machinery for the envelope tests: build entries, render cases, compare."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mockserver.answers.rendered import RateInfo, RenderContext, Rendered
from mockserver.catalog.loader import load_vendor_file
from mockserver.catalog.model import ENTRY, PLACEHOLDER, CatalogEntry, VendorCatalog, VendorFile
from mockserver.vendors.base import Vendor

ROOT = Path(__file__).resolve().parents[1]


class GoldenKit:
    """Everything one vendor's golden tests need; `defaults` fill minimal test entries."""

    def __init__(self, vendor: Vendor, **defaults: Any) -> None:
        self.vendor = vendor
        self.defaults = defaults
        self.golden = ROOT / "tests" / "golden" / vendor.name
        self.catalog_path = ROOT / "catalog" / f"{vendor.name}.yaml"

    def paths(self) -> list[Path]:
        """Every golden file of the vendor."""
        return sorted(self.golden.glob("*.json"))

    def make_entry(self, **raw: Any) -> CatalogEntry:
        """A valid entry with only what a test cares about given."""
        fields: dict[str, Any] = {
            "status": {"origin": "inferred", "rule": "golden"},
            "delivery": "sync",
            "retryable": False,
            "retry_reason": "golden",
            "tags": ["validation"],
            "source": "golden",
            **self.defaults,
            **raw,
        }
        fields.setdefault("key", fields["code"])
        fields.setdefault("params", list(dict.fromkeys(PLACEHOLDER.findall(fields["message"]))))
        return ENTRY.validate_python(fields)

    @staticmethod
    def make_context(raw: dict[str, Any]) -> RenderContext:
        """A render context from a golden file's `context`."""
        rate = raw.get("rate")
        return RenderContext(**{**raw, "rate": RateInfo(**rate) if rate else None})

    def one_entry_catalog(self, entry: CatalogEntry) -> VendorCatalog:
        """A catalog holding just `entry` (for not-found renders)."""
        data = {
            "vendor": self.vendor.name,
            "name": self.vendor.title,
            "source": {"seed": "golden", "page": "golden"},
            "status_policy": "golden",
            "envelopes": list(self.vendor.families),
            "entries": [ENTRY.dump_python(entry)],
        }
        return VendorCatalog.from_file(VendorFile.model_validate(data))

    def case_entry(self, case: dict[str, Any]) -> CatalogEntry:
        """The case's own minimal entry, or the named real catalog entry."""
        if "entry" in case:
            return self.make_entry(**case["entry"])
        entry = load_vendor_file(self.catalog_path).get(case["key"])
        assert entry is not None, case["key"]
        return entry

    def render_case(self, case: dict[str, Any]) -> Rendered:
        """Render a case as an error, an async payload or a not-found answer."""
        entry, ctx = self.case_entry(case), self.make_context(case["context"])
        kind = case.get("render", "error")
        if kind == "async":
            return self.vendor.render_async(entry, ctx)
        if kind == "not_found":
            return self.vendor.render_not_found(self.one_entry_catalog(entry), ctx)
        return self.vendor.render_error(entry, ctx)

    def check(self, path: Path) -> None:
        """Assert a golden file: status, the headers it names, the body (and exact text)."""
        case = json.loads(path.read_text())
        assert case["source"], f"{path.name}: a golden file says where its answer comes from"
        rendered = self.render_case(case)
        assert rendered.status == case["status"]
        headers = header_map(rendered)
        for name, value in case["headers"].items():
            assert headers.get(name.lower()) == value, name
        assert rendered.json() == case["body"]
        if "body_text" in case:
            assert rendered.body.decode() == case["body_text"]


def header_map(rendered: Rendered) -> dict[str, str]:
    """Response headers by lower-cased name, content type included."""
    return {k.lower(): v for k, v in rendered.headers} | {"content-type": rendered.content_type}
