"""A JSON cache of parsed catalog YAML, keyed by the YAML's content hash (YAML stays the source)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

# Bump when the cached form changes meaning, so stale caches are ignored
_FORMAT = 1


def cache_dir() -> Path | None:
    """The per-user cache folder, or None when caching is disabled."""
    if os.environ.get("MOCKSERVER_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mockserver"


def _path(text: bytes) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(text).hexdigest()[:32]
    return folder / f"catalog-{_FORMAT}-{digest}.json"


def read(text: bytes) -> Any | None:
    """The parsed form of `text` if a cache entry exists (any problem: a miss)."""
    path = _path(text)
    if path is None:
        return None
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def write(text: bytes, data: Any) -> None:
    """Store the parsed form; failures (read-only home, full disk) are ignored."""
    path = _path(text)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)  # atomic, so a concurrent reader never sees half a file
    except OSError:
        return
