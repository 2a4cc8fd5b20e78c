"""Command line: serve, validate, report, offline catalog and scenario library, the schema."""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mockserver import __version__
from mockserver.callbacks.egress import parse_allow
from mockserver.catalog import Catalog, CatalogError, load_catalog
from mockserver.catalog.captures import observed, proposals
from mockserver.catalog.query import detail, preview, rendered_json, search, summary
from mockserver.request.injection import InjectionError, parse_params
from mockserver.scenarios import ScenarioError, library, validate_paths
from mockserver.server.loop import run_loop
from mockserver.settings import Option, Settings, StartupError, load, options
from mockserver.telemetry.logs import configure as configure_logs
from mockserver.vendors import VENDORS
from mockserver.verdicts import formats

LOG = logging.getLogger("mockserver")
TOKEN_ENV = "MOCKSERVER_ADMIN_TOKEN"
# a report is built in well under a second; this only bounds a server that stopped answering
REPORT_TIMEOUT = 30.0
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
    imports = cat_sub.add_parser(
        "import-captures",
        help="propose catalog changes from --record captures (a diff; nothing is written)",
    )
    imports.add_argument("folder", type=Path, metavar="DIR")
    _report_parser(sub)
    _library_parsers(sub)
    return parser


def _library_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    lib = sub.add_parser("scenarios", help="the ready-made scenario library, offline")
    lib_sub = lib.add_subparsers(dest="scenarios_command", required=True)
    lst = lib_sub.add_parser("list", help="every library file: VENDOR/SITUATION and summary")
    lst.add_argument("--vendor", choices=list(VENDORS))
    lst.add_argument("--json", action="store_true", help="print JSON instead of a table")
    show = lib_sub.add_parser("show", help="print one file")
    show.add_argument("name", metavar="VENDOR/SITUATION")
    copy = lib_sub.add_parser(
        "copy",
        help="copy files (or a whole vendor) into a folder of yours",
        description="Write DIR/VENDOR/SITUATION.yaml for each NAME (a vendor copies all of "
        "its files) and the scenario JSON Schema to --schema; each copy's yaml-language-server "
        "line points at that schema.",
    )
    copy.add_argument("names", nargs="+", metavar="NAME")
    copy.add_argument("--to", type=Path, default=Path("scenarios"), metavar="DIR")
    copy.add_argument(
        "--schema", type=Path, default=Path("schemas") / library.SCHEMA_FILE, metavar="FILE"
    )
    copy.add_argument("--force", action="store_true", help="replace files that exist")
    schema = sub.add_parser("schema", help="print a JSON Schema (for editors and validators)")
    schema.add_argument("which", nargs="?", choices=["scenario", "report"], default="scenario")


def _library_command(args: argparse.Namespace) -> int:
    if args.scenarios_command == "list":
        found = library.scenarios(args.vendor)
        if args.json:
            _print_json([{"name": s.name, "summary": s.summary} for s in found])
            return 0
        for item in found:
            print(f"{item.name:<44} {item.summary}")
        return 0
    if args.scenarios_command == "show":
        chosen = library.find(args.name)
        if len(chosen) != 1:
            raise library.LibraryError(f"{args.name!r} names {len(chosen)} files; give one")
        print(chosen[0].path.read_text(encoding="utf-8"), end="")
        return 0
    for path in library.copy(args.names, args.to, args.schema, force=args.force):
        print(path)
    return 0


def _report_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser(
        "report",
        help="the error-handling verdicts of a running server",
        description="Fetch GET URL/__admin/report as JSON and render it here; exit 2 when "
        "the server cannot be reached or does not answer a report.",
    )
    report.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8080")
    report.add_argument("--session", help="only this session (default: every session)")
    report.add_argument("--format", choices=formats.FORMATS, default="text", help="default: text")
    report.add_argument("-o", "--output", type=Path, metavar="PATH", help="default: stdout")
    report.add_argument(
        "--admin-token",
        default=os.environ.get(TOKEN_ENV) or None,
        metavar="T",
        help=f"the server's admin token (env: {TOKEN_ENV})",
    )


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
    if args.catalog_command == "import-captures":
        return _import_captures(catalog, args.folder)
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


class ReportError(Exception):
    """Why `mockserver report` got no report, in one line."""


def _report(args: argparse.Namespace) -> int:
    data = fetch_report(args.url, args.session, args.admin_token)
    try:
        text = formats.render(data, args.format)
    except (AttributeError, TypeError, ValueError) as err:
        raise ReportError(f"{args.url} answered a report of another shape ({err})") from None
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as err:
        raise ReportError(f"cannot write {args.output}: {err.strerror or err}") from None
    print(f"{args.output}: {formats.summary_line(data)}")
    return 0


def fetch_report(url: str, session: str | None, token: str | None) -> dict[str, Any]:
    """GET URL/__admin/report as JSON; a ReportError says in one line why it could not."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ReportError(f"--url {url!r} is not http(s)://HOST[:PORT]")
    query = urllib.parse.urlencode({"format": "json"} | ({"session": session} if session else {}))
    target = f"{url.rstrip('/')}/__admin/report?{query}"
    headers = {"Accept": "application/json"} | (
        {"Authorization": f"Bearer {token}"} if token else {}
    )
    # an HTTP(S)_PROXY set for the outside world must not swallow a server on this machine
    proxies: dict[str, str] | None = {} if _loopback(parts.hostname) else None
    opener = urllib.request.build_opener(urllib.request.ProxyHandler(proxies))
    try:
        with opener.open(
            urllib.request.Request(target, headers=headers), timeout=REPORT_TIMEOUT
        ) as answer:
            body = answer.read()
    except urllib.error.HTTPError as err:
        raise ReportError(_refusal(url, err.code, token)) from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", None) or err
        raise ReportError(f"cannot reach {url}: {reason}") from None
    return _report_json(target, body)


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refusal(url: str, status: int, token: str | None) -> str:
    if status == 401:
        if token:
            return f"{url} refused the admin token (401); check --admin-token / {TOKEN_ENV}"
        return f"{url} needs an admin token (401); pass --admin-token or set {TOKEN_ENV}"
    if status == 404:
        return f"this server has no /__admin/report; upgrade it ({url} answered 404)"
    return f"{url}/__admin/report answered HTTP {status}"


def _report_json(target: str, body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as err:
        raise ReportError(f"{target} did not answer JSON ({err})") from None
    if not isinstance(data, dict):
        raise ReportError(f"{target} answered JSON that is not a report object")
    return data


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "catalog":
            return _catalog_command(args)
        if args.command == "validate":
            return _validate(args.paths)
        if args.command == "report":
            return _report(args)
        if args.command == "scenarios":
            return _library_command(args)
        if args.command == "schema":
            print(library.schema_path(f"{args.which}.schema.json").read_text("utf-8"), end="")
            return 0
        if args.command == "serve":
            return _serve(_settings(args))
    except ScenarioError as err:
        print(f"mockserver: scenario files rejected:\n{err}", file=sys.stderr)
        return 2
    except (CatalogError, StartupError, ValueError, ReportError) as err:
        print(f"mockserver: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:
        return _reader_went_away()
    return 2


def _import_captures(catalog: Catalog, folder: Path) -> int:
    """Print the proposed diff; exit 1 when there is one (as diff does), 2 for no folder."""
    if not folder.is_dir():
        print(f"mockserver: {folder}: not a folder of --record captures", file=sys.stderr)
        return 2
    diff = proposals(catalog, observed(folder))
    if not diff:
        print(f"{folder}: every captured error matches the catalog")
        return 0
    print(diff, end="")
    return 1


def _serve(settings: Settings) -> int:
    if settings.workers > 1 or settings.store == "local":
        from mockserver.server.workers import supervise

        return supervise(settings)
    from mockserver.server.run import serve

    run_loop(serve(settings))
    return 0


def _reader_went_away() -> int:
    """`| head` closed stdout: stop quietly, and keep Python's exit-time flush from failing."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 0
