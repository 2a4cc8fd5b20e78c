"""Command line: serve, validate, and offline catalog list/search/show/render."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import logging
import os
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any

from mockserver import __version__
from mockserver.callbacks.egress import parse_allow
from mockserver.catalog import CatalogError, load_catalog
from mockserver.catalog.query import detail, preview, rendered_json, search, summary
from mockserver.request.injection import InjectionError, parse_params
from mockserver.scenarios import ScenarioError, validate_paths
from mockserver.settings import Option, Settings, StartupError, load, options
from mockserver.telemetry.logs import configure as configure_logs
from mockserver.vendors import VENDORS

LOG = logging.getLogger("mockserver")
SERVE_EPILOG = (
    "Every option can also be set by the MOCKSERVER_* variable named beside it: a flag wins "
    "over its variable, a variable over the default, and an empty variable counts as unset. "
    "A flag replaces the variable's whole list or map; it is not merged with it. In "
    "variables, switches are true or false (also 1/0, yes/no, on/off) and lists and "
    "NAME=VALUE maps are items separated by commas or spaces "
    "(MOCKSERVER_VENDOR_PORTS=signalwire=9001,yeastar=9002), except MOCKSERVER_SCENARIOS, "
    "whose paths are separated by commas only; a path in it that does not exist yet is "
    "skipped with a warning. The table of every setting: docs/operations.md#settings."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockserver", description=__doc__)
    parser.add_argument("--version", action="version", version=f"mockserver {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the server", epilog=SERVE_EPILOG)
    for option in options().values():
        _add_option(serve, option)
    validate = sub.add_parser("validate", help="check scenario files; exit 1 on any problem")
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    cat = sub.add_parser("catalog", help="browse the error catalog offline")
    cat_sub = cat.add_subparsers(dest="catalog_command", required=True)
    lst = cat_sub.add_parser("list", help="list entries")
    _filters(lst)
    srch = cat_sub.add_parser("search", help="full-text search")
    srch.add_argument("text")
    _filters(srch)
    show = cat_sub.add_parser("show", help="one entry with all its text")
    show.add_argument("vendor")
    show.add_argument("key")
    render = cat_sub.add_parser("render", help="the exact answer an entry produces")
    render.add_argument("vendor")
    render.add_argument("key")
    render.add_argument("--family", help="envelope family (default: the vendor's first)")
    render.add_argument("--params", default="", help="name=value; name2=value2")
    render.add_argument("--status", type=int, help="override the HTTP status")
    return parser


def _add_option(parser: argparse.ArgumentParser, option: Option) -> None:
    """One `serve` option from its declaration; absent flags leave the value to env/default."""
    given = option.shown_default and f"default: {option.shown_default}; "
    syntax = option.syntax and f": {option.syntax}"
    repeat = "; repeatable" if option.kind in ("list", "map") else ""
    text = f"{option.help} ({given}env: {option.env}{syntax}{repeat})".replace("%", "%%")
    common: dict[str, Any] = {"dest": option.name, "default": argparse.SUPPRESS, "help": text}
    if option.kind == "switch":
        parser.add_argument(option.flag, action=argparse.BooleanOptionalAction, **common)
        return
    if option.kind in ("list", "map"):
        common |= {"nargs": "+", "action": "extend"}
    parser.add_argument(
        option.flag,
        type=option.value_type,
        choices=option.choices or None,
        metavar=option.metavar,
        **common,
    )
    if option.off:
        parser.add_argument(
            option.off,
            dest=option.name,
            action="store_const",
            const=0,
            default=argparse.SUPPRESS,
            help=f"the same as {option.flag} 0 (env: {option.env}=0)",
        )


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--vendor", choices=list(VENDORS))
    parser.add_argument("--tag")
    parser.add_argument("--status", type=int)
    parser.add_argument("--delivery", choices=["sync", "async"])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _catalog_command(args: argparse.Namespace) -> int:
    catalog = load_catalog(names=tuple(VENDORS))
    if args.catalog_command in ("list", "search"):
        found = list(
            search(
                catalog,
                args.vendor,
                args.tag,
                args.status,
                getattr(args, "text", None),
                args.delivery,
            )
        )
        if not found and args.catalog_command == "search":
            print(f"no catalogued error matches {args.text!r}", file=sys.stderr)
            return 1
        if args.json:
            _print_json([summary(v, e) for v, e in found])
        for name, item in [] if args.json else found:
            print(f"{name:<13} {item.key:<12} {item.http_status} {item.delivery:<5} {item.message}")
        return 0
    if args.vendor not in catalog.vendors:
        print(
            f"unknown vendor {args.vendor!r}; known: {', '.join(catalog.vendors)}", file=sys.stderr
        )
        return 2
    cat = catalog.vendor(args.vendor)
    entry = cat.get(args.key)
    if entry is None:
        hint = ", ".join(cat.closest(args.key)) or "none"
        print(
            f"{args.vendor} has no catalogued error {args.key!r}; closest: {hint}", file=sys.stderr
        )
        return 2
    if args.catalog_command == "show":
        _print_json(detail(args.vendor, entry))
        return 0
    vendor = VENDORS[args.vendor]
    if args.family and args.family not in vendor.families:
        print(
            f"unknown family {args.family!r}; {args.vendor} has {vendor.families}", file=sys.stderr
        )
        return 2
    try:
        params = parse_params(args.params)
    except InjectionError as err:
        print(err.message, file=sys.stderr)
        return 2
    _print_json(rendered_json(preview(vendor, entry, args.family, params, args.status)))
    return 0


def _settings(args: argparse.Namespace) -> Settings:
    """The settings of `serve`: flags, else MOCKSERVER_* variables, else defaults."""
    flags = {name: getattr(args, name) for name in options() if hasattr(args, name)}
    settings, where = load(flags, VENDORS)
    _check_allow(settings.callback_allow, where.get("callback_allow", ""))
    if where.get("scenarios") == options()["scenarios"].env:
        settings = _existing_scenarios(settings)
    return settings


def _check_allow(items: tuple[str, ...], source: str) -> None:
    """A typo is named at start, not silently a host that never matches."""
    for item in items:
        try:
            parse_allow(item)
        except ValueError as err:  # it names the flag; the value may have come from the variable
            raise ValueError(str(err).replace("--callback-allow", source, 1)) from None


def _existing_scenarios(settings: Settings) -> Settings:
    """MOCKSERVER_SCENARIOS without the paths that do not exist (yet), each with a warning.

    A CI service container often starts before the checkout that brings its scenario files
    (GitHub Actions services); it should start without them rather than fail.
    """
    kept = tuple(path for path in settings.scenarios if path.exists())
    missing = sorted(set(settings.scenarios) - set(kept))
    if missing:
        configure_logs(settings.log_format)  # as the server will: JSON logs stay JSON lines
    for path in missing:
        LOG.warning(
            "%s: %s does not exist; starting without it",
            options()["scenarios"].env,
            path,
            extra={"event": "scenarios_missing", "path": str(path)},
        )
    return settings.model_copy(update={"scenarios": kept})


def _validate(paths: list[Path]) -> int:
    problems = validate_paths(paths, load_catalog(names=tuple(VENDORS)))
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"ok: {', '.join(str(p) for p in paths)}")
    return 1 if problems else 0


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "catalog":
            return _catalog_command(args)
        if args.command == "validate":
            return _validate(args.paths)
        if args.command == "serve":
            from mockserver.server.run import serve

            run_loop(serve(_settings(args)))
            return 0
    except ScenarioError as err:
        print(f"mockserver: scenario files rejected:\n{err}", file=sys.stderr)
        return 2
    except (CatalogError, StartupError, ValueError) as err:
        print(f"mockserver: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:
        return _reader_went_away()
    return 2


def _reader_went_away() -> int:
    """`| head` closed stdout: stop quietly, and keep Python's exit-time flush from failing."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 0
