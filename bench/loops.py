"""`python -m bench.loops LOOP MODULE [ARGS...]`: run a module as `__main__` on a named loop.

The bench measures every case on asyncio's loop and on uvloop when it is installed, with
the server and its baseline on the same loop. `mockserver serve` picks uvloop whenever it
is importable (`mockserver.server.loop.run_loop`); this wrapper tells it which one to use instead,
so the choice stays a bench concern and not a server option.
"""

from __future__ import annotations

import importlib.util
import runpy
import sys

import mockserver.server.loop

LOOPS = ("asyncio", "uvloop")


def available() -> list[str]:
    """The loops this interpreter can run: asyncio's, and uvloop when installed."""
    return [name for name in LOOPS if name == "asyncio" or importlib.util.find_spec(name)]


def main(argv: list[str]) -> None:
    """Pin `run_loop`'s choice to argv[0], then run module argv[1] with the rest as its argv."""
    if len(argv) < 2 or argv[0] not in available():
        raise SystemExit(f"usage: python -m bench.loops {{{','.join(available())}}} MODULE ...")
    loop, module = argv[0], argv[1]
    # run_loop looks the name up at call time, so the module attribute is what it asks
    mockserver.server.loop.event_loop_name = lambda: loop
    sys.argv = [module, *argv[2:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
