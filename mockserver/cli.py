"""Command line: serve, validate, and offline catalog list/search/show/render."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
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
from mockserver.settings import (
    Settings,
    StartupError,
    check_port,
    parse_credentials,
    parse_pairs,
    parse_vendor_ports,
)
from mockserver.vendors import VENDORS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockserver", description=__doc__)
    parser.add_argument("--version", action="version", version=f"mockserver {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the server")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="main port (0: any free port)")
    serve.add_argument(
        "--vendor-port",
        action="append",
        default=[],
        metavar="NAME=PORT",
        help="also serve one vendor at the root path of its own port",
    )
    serve.add_argument("--seed", type=int, default=0, help="seed for generated data")
    serve.add_argument("--catalog", type=Path, help="use another catalog folder")
    serve.add_argument("--admin-token", help="require this bearer token on /__admin")
    serve.add_argument(
        "--scenarios",
        nargs="+",
        action="extend",
        type=Path,
        default=[],
        metavar="PATH",
        help="scenario files or folders (watched and reloaded)",
    )
    serve.add_argument("--no-watch", action="store_true", help="do not reload scenario files")
    serve.add_argument(
        "--no-defaults",
        action="store_true",
        help="do not load the shipped default scenarios (magic test numbers)",
    )
    serve.add_argument("--token-ttl", type=float, help="access-token lifetime in seconds")
    serve.add_argument("--journal-size", type=int, default=10_000, help="requests kept")
    serve.add_argument(
        "--journal-bytes",
        type=int,
        default=64 * 1024 * 1024,
        help="bytes of requests (kept body + headers) the journal holds (64 MiB)",
    )
    serve.add_argument(
        "--session-ttl",
        type=float,
        default=3600.0,
        help="seconds after which an idle session's rule counters are forgotten",
    )
    serve.add_argument(
        "--session-cap",
        type=int,
        default=10_000,
        help="sessions whose rule counters are kept; the least recently active go first",
    )
    serve.add_argument("--max-body", type=int, default=1_048_576, help="largest body, bytes")
    serve.add_argument(
        "--max-scenario-bytes",
        type=int,
        default=1_048_576,
        help="largest scenario file or admin upload, bytes",
    )
    serve.add_argument("--log-format", choices=["text", "json"], default="text")
    serve.add_argument("--access-log", action="store_true", help="log every vendor request")
    serve.add_argument(
        "--credentials",
        action="append",
        default=[],
        metavar="NAME=ID:SECRET",
        help="strict mode for a vendor: accept only these credentials",
    )
    serve.add_argument(
        "--callback-allow",
        action="append",
        default=[],
        metavar="HOST_OR_CIDR",
        help="let callbacks reach a host or network the outbound policy refuses by default "
        "(link-local, cloud metadata, the mock's own ports); repeatable",
    )
    serve.add_argument(
        "--shutdown-grace",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="time in-flight requests and pending callbacks get on SIGTERM",
    )
    serve.add_argument(
        "--read-timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="time a request body may take to arrive (408 after it); 0: no limit",
    )
    serve.add_argument(
        "--keepalive-timeout",
        type=float,
        default=75.0,
        metavar="SECONDS",
        help="time an idle connection (or one whose request head never completes) stays open",
    )
    serve.add_argument(
        "--delivery-delay",
        type=float,
        default=0.5,
        metavar="SECONDS",
        help="time from accepting a message/call to its final status",
    )
    serve.add_argument(
        "--webhook",
        action="append",
        default=[],
        metavar="NAME=URL",
        help="webhook URL of a vendor configured in its console (yeastar)",
    )
    serve.add_argument(
        "--webhook-secret",
        default="mockserver-webhook-secret",
        help="secret for X-Signature / x-hub-signature webhook signing",
    )
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
    settings = Settings(
        host=args.host,
        port=check_port(f"--port {args.port}", args.port),
        vendor_ports=parse_vendor_ports(args.vendor_port, set(VENDORS)),
        seed=args.seed,
        catalog_dir=args.catalog,
        admin_token=args.admin_token,
        scenarios=tuple(args.scenarios),
        watch_interval=0.0 if args.no_watch else 1.0,
        defaults=not args.no_defaults,
        token_ttl=args.token_ttl,
        journal_size=args.journal_size,
        journal_bytes=args.journal_bytes,
        session_ttl=args.session_ttl,
        session_cap=args.session_cap,
        max_body=args.max_body,
        max_scenario_bytes=args.max_scenario_bytes,
        log_format=args.log_format,
        access_log=args.access_log,
        delivery_delay=args.delivery_delay,
        shutdown_grace=args.shutdown_grace,
        read_timeout=args.read_timeout,
        keepalive_timeout=args.keepalive_timeout,
        webhooks=parse_pairs(args.webhook, "--webhook", set(VENDORS)),
        webhook_secret=args.webhook_secret,
        credentials=parse_credentials(args.credentials, set(VENDORS)),
        callback_allow=tuple(args.callback_allow),
    ).merged_with_env()
    for item in settings.callback_allow:
        parse_allow(item)  # a typo is named at start, not silently a host that never matches
    return settings


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
