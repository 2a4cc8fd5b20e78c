"""`--record DIR`: each proxied exchange saved as one redacted JSON file, for review and import.

A capture holds what the journal would show of the request (credentials blanked by the same
rules) and the upstream's answer: status, headers (cookies and tokens blanked) and body
(secrets blanked, cut at 64 KiB). `mockserver catalog import-captures DIR` reads them back.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aiohttp

from mockserver.journal.redaction import is_oauth, redact_body, redact_headers, redact_pairs
from mockserver.request.snapshot import RequestSnapshot

_log = logging.getLogger(__name__)
KEEP = 65_536  # response bytes kept per capture
FORMAT = 1


class Capture:
    """One proxied exchange, its response body collected as it streams through."""

    def __init__(
        self,
        vendor: str,
        snapshot: RequestSnapshot,
        headers: Mapping[str, str],
        url: str,
        upstream: aiohttp.ClientResponse,
    ) -> None:
        self.vendor = vendor
        self.snapshot = snapshot
        # names lower-cased, as the journal shows them
        self.request_headers = {k.lower(): v for k, v in headers.items()}
        self.url = url
        self.status = upstream.status
        self.response_headers = {k.lower(): v for k, v in upstream.headers.items()}
        self.body = bytearray()

    def keep(self, chunk: bytes) -> None:
        """Add a piece of the response body (up to KEEP bytes)."""
        room = KEEP - len(self.body)
        if room > 0:
            self.body += chunk[:room]

    def to_json(self) -> dict[str, Any]:
        """The redacted capture."""
        snap, oauth = self.snapshot, is_oauth(self.snapshot.path)
        given = self.request_headers.get("content-type", "")
        answered = self.response_headers.get("content-type", "")
        return {
            "format": FORMAT,
            "time": snap.received_at,
            "vendor": self.vendor,
            "operation": f"{snap.method} {snap.path}",
            "upstream": self.url.split("?", 1)[0],
            "request": {
                "method": snap.method,
                "path": snap.path,
                "query": [list(p) for p in redact_pairs(tuple(snap.query_all), oauth)],
                "headers": redact_headers(self.request_headers),
                "body": redact_body(snap.body, given, KEEP, oauth),
            },
            "response": {
                "status": self.status,
                "headers": redact_headers(self.response_headers),
                # a token endpoint's answer is secrets too: the same rule as its request
                "body": redact_body(bytes(self.body), answered, KEEP, oauth),
            },
        }


class Recorder:
    """Writes captures into a folder, one file each, never overwriting."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._seq = itertools.count(1)

    def save(self, capture: Capture) -> Path | None:
        """Write one capture; a folder that cannot be written is logged, not fatal."""
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        name = f"{stamp}-{os.getpid()}-{next(self._seq):06d}-{capture.vendor}.json"
        path = self.folder / name
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(capture.to_json(), indent=2, ensure_ascii=False) + "\n")
        except OSError as err:
            _log.error("--record %s: cannot write %s: %s", self.folder, name, err)
            return None
        return path
