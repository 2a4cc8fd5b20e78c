"""The event loop a server process runs on: uvloop when the `fast` extra is installed."""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Coroutine
from typing import Any


def event_loop_name() -> str:
    """The event loop `run_loop` uses here: "uvloop" when it is installed, else "asyncio"."""
    return "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run on uvloop when the `fast` extra is installed (measured in bench/README.md)."""
    # checked, not tried: serving inside an `except ImportError` block chained that import
    # error to every exception the server later logged
    if event_loop_name() == "asyncio":
        asyncio.run(main)
        return
    import uvloop

    uvloop.run(main)
