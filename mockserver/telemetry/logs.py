"""Logs of the mockserver.* loggers (text or JSON lines), one access line per vendor request."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import urlencode

from mockserver.answers.plan import Plan
from mockserver.journal.redaction import is_oauth, redact_pairs
from mockserver.request import rejections
from mockserver.request.snapshot import RequestSnapshot

ROOT = "mockserver"
ACCESS = "mockserver.access"
# aiohttp reports handler crashes here; sharing our handler keeps a JSON log one object per line
AIOHTTP_LOGGERS = ("aiohttp.server", "aiohttp.web")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# a fuzzer's 8 KB path would drown the log; the journal keeps the whole request anyway
MAX_FIELD = 512
# every attribute a bare LogRecord has: whatever else a record carries came from `extra`
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# C0, DEL, C1 and the Unicode line/paragraph separators: anything a viewer may break a line on
_UNPRINTABLE = {c: f"\\u{c:04x}" for c in (*range(32), *range(127, 160), 0x2028, 0x2029)}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and every `extra` field."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a single-line JSON object."""
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        out.update((k, v) for k, v in vars(record).items() if k not in _STANDARD)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """A handler `configure` installed (and may replace on a second call)."""


def configure(
    log_format: str = "text",
    level: int = logging.INFO,
    stream: TextIO | None = None,
    access: bool = True,
) -> logging.Handler:
    """Send the mockserver.* loggers (and aiohttp's error loggers) to `stream` (stderr).

    Args:
        log_format: "text" (human lines) or "json" (one JSON object per line).
        level: the level of the mockserver.* loggers.
        stream: where lines go; stderr by default so stdout keeps only the banner.
        access: False silences the per-request access lines (mockserver.access).

    Returns:
        The installed handler. Calling again replaces it, so tests can reconfigure.
    """
    if log_format not in ("text", "json"):
        raise ValueError(f"log format {log_format!r}: expected 'text' or 'json'")
    handler = _Handler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    for name in (ROOT, *AIOHTTP_LOGGERS):
        logger = _detached(name)
        logger.addHandler(handler)
        logger.propagate = False  # our handler already wrote it; the root would write it again
    logging.getLogger(ROOT).setLevel(level)
    logging.getLogger(ACCESS).setLevel(logging.NOTSET if access else logging.WARNING)
    rejections.install()  # a fuzzer's malformed requests: short warnings, not tracebacks
    return handler


def unconfigure() -> None:
    """Undo `configure`: remove its handler and let records propagate again (for tests)."""
    for name in (ROOT, *AIOHTTP_LOGGERS):
        _detached(name).propagate = True
    logging.getLogger(ROOT).setLevel(logging.NOTSET)
    logging.getLogger(ACCESS).setLevel(logging.NOTSET)
    rejections.uninstall()


def _detached(name: str) -> logging.Logger:
    """The logger, without the handler an earlier `configure` gave it."""
    logger = logging.getLogger(name)
    for old in [h for h in logger.handlers if isinstance(h, _Handler)]:
        logger.removeHandler(old)
    return logger


class AccessLogRecorder:
    """A pipeline recorder writing one INFO line per vendor request, credentials redacted.

    Fields: method, vendor, path, query (secret-named values blanked), status, outcome,
    rule, scenario, latency_ms and session (the journal's: X-Mock-Session, else the one
    derived from credentials, which never is a secret: a Webex service key becomes a hash).
    """

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = logger or logging.getLogger(ACCESS)

    def record(self, snapshot: RequestSnapshot, plan: Plan, status: int, latency_ms: float) -> None:
        """Log one answered request (cheap no-op when the access logger is off)."""
        if not self.logger.isEnabledFor(logging.INFO):
            return
        fields = access_fields(snapshot, plan, status, latency_ms)
        self.logger.info(
            "%s /%s%s%s %d %s rule=%s %.1fms",
            fields["method"],
            fields["vendor"],
            fields["path"],
            f"?{fields['query']}" if fields["query"] else "",
            status,
            fields["outcome"],
            fields["rule"] or "-",
            latency_ms,
            extra=fields,
        )


def access_fields(
    snapshot: RequestSnapshot, plan: Plan, status: int, latency_ms: float
) -> dict[str, Any]:
    """What an access line says about a request: never a credential, never a control character."""
    pairs = snapshot.query_all
    query = urlencode(redact_pairs(pairs, is_oauth(snapshot.path)), safe="*") if pairs else ""
    return {
        "method": _clean(snapshot.method),
        "vendor": snapshot.vendor,
        "path": _clean(snapshot.path),
        "query": _clean(query),
        "status": status,
        "outcome": plan.outcome or plan.kind,
        "rule": _clean(plan.rule) if plan.rule else None,
        "scenario": _clean(plan.scenario) if plan.scenario else None,
        "latency_ms": round(latency_ms, 3),
        # the session the journal files it under: derived once, in the pipeline
        "session": _clean(snapshot.session) if snapshot.session else None,
    }


def _clean(text: str) -> str:
    """Escape control characters (a %0A in a path must not forge a log line) and cap length."""
    if len(text) > MAX_FIELD:
        text = f"{text[:MAX_FIELD]}...[{len(text) - MAX_FIELD} more]"
    return text if text.isprintable() else text.translate(_UNPRINTABLE)
