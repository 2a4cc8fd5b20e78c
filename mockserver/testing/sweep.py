"""Error sweeps: one pytest param per catalogued error of an operation, served once each."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockserver.catalog import Catalog, CatalogEntry, load_catalog
from mockserver.settings import Settings

if TYPE_CHECKING:
    from _pytest.mark import ParameterSet


@dataclass(frozen=True)
class ErrorCase:
    """One catalogued error to serve on one operation (`mock.serve_once(case)`).

    Attributes:
        vendor, key, code, status, tags, retryable: the catalog entry's.
        method, path: the operation; `path` may hold `*` (a glob, e.g. the account id).
    """

    vendor: str
    key: str
    code: str
    status: int
    tags: tuple[str, ...]
    retryable: bool
    method: str
    path: str

    @property
    def match(self) -> dict[str, Any]:
        """The rule-style match of the operation (vendor, method, path)."""
        path: Any = {"glob": self.path} if "*" in self.path else self.path
        return {"vendor": self.vendor, "method": self.method, "path": path}


@functools.cache
def _catalog(directory: Path | None, vendor: str) -> Catalog:
    return load_catalog(directory, [vendor])


def error_cases(
    vendor: str,
    method: str,
    path: str,
    *,
    tags: Iterable[str] = (),
    retryable: bool | None = None,
    exclude_tags: Iterable[str] = (),
    catalog_dir: Path | None = None,
) -> list[ErrorCase]:
    """The vendor's answered-at-once (sync) errors with any of `tags`, in catalog order.

    Args:
        tags: keep entries with at least one of these tags (none given: every entry).
        retryable: keep only retryable (True) or only final (False) errors.
        exclude_tags: drop entries with any of these (e.g. "voice" when sweeping SMS send).
        catalog_dir: the catalog the server uses; default: the server's default setting.
    """
    wanted, unwanted = set(tags), set(exclude_tags)
    directory = catalog_dir if catalog_dir is not None else Settings().catalog_dir
    entries = _catalog(directory, vendor).vendor(vendor)
    return [
        _case(vendor, entry, method.upper(), path)
        for entry in entries
        if entry.delivery == "sync"
        and (not wanted or wanted & set(entry.tags))
        and not unwanted & set(entry.tags)
        and (retryable is None or entry.retryable is retryable)
    ]


def _case(vendor: str, entry: CatalogEntry, method: str, path: str) -> ErrorCase:
    return ErrorCase(
        vendor, entry.key, entry.code, entry.http_status, entry.tags, entry.retryable, method, path
    )


def sweep(
    vendor: str,
    method: str,
    path: str,
    *,
    tags: Sequence[str] = (),
    retryable: bool | None = None,
    exclude_tags: Sequence[str] = (),
    catalog_dir: Path | None = None,
) -> list[ParameterSet]:
    """`error_cases(...)` as pytest params with readable ids, for `@pytest.mark.parametrize`.

    Each param becomes its own test, so with the `mock` fixture each error runs in its own
    session and gets its own verdict:

        @pytest.mark.parametrize("error", sweep("signalwire", "POST", MESSAGES, retryable=True))
        def test_every_retryable_error_is_survived(mock, client, error):
            mock.serve_once(error)
            assert client.send(TO, "hello")["status"] == "queued"
    """
    import pytest  # only sweeps need pytest; ServerThread users may not have it

    cases = error_cases(
        vendor,
        method,
        path,
        tags=tags,
        retryable=retryable,
        exclude_tags=exclude_tags,
        catalog_dir=catalog_dir,
    )
    if not cases:
        raise ValueError(f"no catalogued {vendor} error matches tags={list(tags)}")
    return [pytest.param(case, id=case.key) for case in cases]
