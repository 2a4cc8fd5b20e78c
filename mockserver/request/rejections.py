"""Requests the HTTP parser rejects: one rate-limited WARNING each, never a traceback or raw line."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from aiohttp.http_exceptions import HttpProcessingError

# aiohttp logs every parser rejection here, as an ERROR with the exception's traceback
SERVER_LOGGER = "aiohttp.server"
# a fuzzer sends thousands: this many lines per window, then one line counting the rest
MAX_PER_WINDOW = 10
WINDOW = 10.0
MAX_REASON = 120
# the parser quotes the offending bytes (b'Authorization: Bearer ...') after the reason:
# cut at the first quote or colon, whichever comes first
_REASON_END = re.compile(r"""[:'"]|\bb'""")


def reason_of(exc: HttpProcessingError) -> str:
    """The parser's reason in words, without the request bytes it quotes."""
    first = (exc.message or type(exc).__name__).strip().splitlines()
    text = first[0] if first else type(exc).__name__
    cut = _REASON_END.search(text)
    text = (text[: cut.start()] if cut else text).strip() or type(exc).__name__
    if len(text) > MAX_REASON:
        text = text[:MAX_REASON] + "..."
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


class ParserRejections(logging.Filter):
    """Rewrites aiohttp's parser-rejection ERRORs into short WARNINGs, rate-limited.

    Installed on the aiohttp.server logger: a logging filter is aiohttp's public hook (it
    logs through `logging`), so no private method is patched. Other records pass untouched.
    """

    def __init__(
        self,
        limit: int = MAX_PER_WINDOW,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.limit = limit
        self.window = window
        self.clock = clock
        self._started = -window
        self._shown = 0
        self._suppressed = 0

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a rejection over the limit; True (rewritten) otherwise."""
        exc = record.exc_info[1] if record.exc_info else None
        if not isinstance(exc, HttpProcessingError):
            return True
        now = self.clock()
        if now - self._started >= self.window:
            suppressed = self._suppressed
            self._started, self._shown, self._suppressed = now, 0, 0
            if suppressed:
                # its own line, before this one; it has no exception, so it passes this filter
                logging.getLogger(record.name).warning(
                    "suppressed %d more malformed-request warnings in the last %g s",
                    suppressed,
                    self.window,
                )
        if self._shown >= self.limit:
            self._suppressed += 1
            return False
        self._shown += 1
        peer = record.args[0] if isinstance(record.args, tuple) and record.args else None
        _rewrite(record, "rejected a malformed request from %s: %s (HTTP %s)")
        record.args = (peer or "unknown peer", reason_of(exc), exc.code)
        return True


def _rewrite(record: logging.LogRecord, message: str) -> None:
    record.msg = message
    record.levelno, record.levelname = logging.WARNING, "WARNING"
    # no traceback: it is the parser's, says nothing new, and quotes the raw request line
    record.exc_info, record.exc_text = None, None


def install(logger: logging.Logger | None = None) -> ParserRejections:
    """Put a fresh filter on aiohttp's server logger (replacing an earlier one)."""
    logger = logger or logging.getLogger(SERVER_LOGGER)
    uninstall(logger)
    flt = ParserRejections()
    logger.addFilter(flt)
    return flt


def uninstall(logger: logging.Logger | None = None) -> None:
    """Remove the filter `install` put on the logger."""
    logger = logger or logging.getLogger(SERVER_LOGGER)
    for old in [f for f in logger.filters if isinstance(f, ParserRejections)]:
        logger.removeFilter(old)
