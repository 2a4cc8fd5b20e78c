"""Server settings, each declared once: its flag, MOCKSERVER_* variable, help and docs derive from it."""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic.config import JsonDict
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

ENV_PREFIX = "MOCKSERVER_"
PORTS = range(65536)
PORTS_PROBLEM = "must be between 0 and 65535"
# how a variable's value splits into the items of a list or NAME=VALUE setting
ITEMS = r"[,\s]+"


class StartupError(Exception):
    """Settings the server cannot start with (a port in use, a host that does not resolve)."""


class ItemError(ValueError):
    """One item of a list or NAME=VALUE setting is wrong; `item` is how a message names it."""

    def __init__(self, item: str, problem: str) -> None:
        super().__init__(f"{item}: {problem}")
        self.item = item
        self.problem = problem


def setting(
    default: Any,
    help: str,
    *,
    flag: str | None = None,
    metavar: str | None = None,
    off: str | None = None,
    items: str = ITEMS,
) -> Any:
    """Declare one setting: default, one line of help, and how the command line spells it.

    `flag` defaults to the field name in kebab case; `off` names an extra flag that sets the
    setting to 0; `items` is the regex that splits a variable's value into list items.
    """
    cli: JsonDict = {"items": items}
    for key, value in (("flag", flag), ("metavar", metavar), ("off", off)):
        if value is not None:
            cli[key] = value
    return Field(default, description=help, json_schema_extra={"cli": cli})


STORE_SCHEMES = ("redis://", "rediss://", "unix://")


class Settings(BaseSettings):
    """Everything the server can be configured with; frozen (derive with `model_copy(update=...)`).

    `Settings(...)` in code holds exactly what it is given plus the defaults: the environment
    is read only by `load()` (the CLI), so an in-process server never picks up a shell's
    MOCKSERVER_* variables. Every field has a flag and a variable (`options()`); the table in
    docs/operations.md is generated from these declarations.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_ignore_empty=True,  # `MOCKSERVER_X=` means unset, as the old entrypoint had it
        enable_decoding=False,  # lists and maps are `a=1,b=2`, not JSON (validators below)
        frozen=True,
        extra="forbid",
    )

    host: str = setting("127.0.0.1", "address to bind (the container image sets 0.0.0.0)")
    port: int = setting(8080, "main port (0: any free port)")
    vendor_ports: Mapping[str, int] = setting(
        {},
        "also serve one vendor at the root path of its own port",
        flag="--vendor-port",
        metavar="NAME=PORT",
    )
    seed: int = setting(0, "seed for generated data and seeded randomness", metavar="N")
    # paths may hold spaces, so only commas split them
    scenarios: tuple[Path, ...] = setting(
        (), "scenario files or folders (watched and reloaded)", metavar="PATH", items=r"\s*,\s*"
    )
    catalog_dir: Path | None = setting(
        None, "a catalog folder to use instead of the shipped one", flag="--catalog", metavar="DIR"
    )
    admin_token: str | None = setting(
        None, "require `Authorization: Bearer TOKEN` on every /__admin call", metavar="TOKEN"
    )
    journal_size: int = setting(10_000, "requests the journal keeps", metavar="N")
    journal_bytes: int = setting(
        64 * 1024 * 1024,
        "bytes of requests (kept body + headers) the journal holds (64 MiB)",
        metavar="BYTES",
    )
    session_ttl: float = setting(
        3600.0,
        "seconds after which an idle session's rule counters are forgotten",
        metavar="SECONDS",
    )
    session_cap: int = setting(
        10_000,
        "sessions whose rule counters are kept; the least recently active go first",
        metavar="N",
    )
    resource_limit: int = setting(
        10_000, "happy-path resources (messages, calls...) kept; the oldest go first", metavar="N"
    )
    callback_log_size: int = setting(10_000, "callbacks the callback log keeps", metavar="N")
    max_body: int = setting(1_048_576, "largest request body, bytes", metavar="BYTES")
    max_scenario_bytes: int = setting(
        1_048_576, "largest scenario file or admin upload, bytes", metavar="BYTES"
    )
    watch_interval: float = setting(
        1.0,
        "seconds between scenario file checks (0: no reloading)",
        metavar="SECONDS",
        off="--no-watch",
    )
    log_format: Literal["text", "json"] = setting("text", "log (and banner) format")
    access_log: bool = setting(
        False, "log one line per vendor request (method, path, status, outcome, rule)"
    )
    token_ttl: float | None = setting(
        None,
        "access-token lifetime in seconds for every vendor; unset: each vendor's own",
        metavar="SECONDS",
    )
    defaults: bool = setting(True, "load the shipped default scenarios (magic test numbers)")
    shutdown_grace: float = setting(
        10.0, "time in-flight requests and pending callbacks get on SIGTERM", metavar="SECONDS"
    )
    read_timeout: float = setting(
        30.0,
        "time a request body may take to arrive once its head has (408 after it); 0: no limit",
        metavar="SECONDS",
    )
    keepalive_timeout: float = setting(
        75.0,
        "time an idle connection (or one whose request head never completes) stays open",
        metavar="SECONDS",
    )
    delivery_delay: float = setting(
        0.5,
        "time from accepting a message/call to its final status and callback",
        metavar="SECONDS",
    )
    webhook_secret: str = setting(
        "mockserver-webhook-secret",
        "secret for X-Signature (Yeastar) / x-hub-signature (Webex) webhook signing",
        metavar="SECRET",
    )
    webhooks: Mapping[str, str] = setting(
        {},
        "webhook URL of a vendor that configures it in its console, not per request (yeastar)",
        flag="--webhook",
        metavar="NAME=URL",
    )
    credentials: Mapping[str, tuple[str, str]] = setting(
        {},
        "strict mode for a vendor: accept only these credentials (others: any well-formed ones)",
        metavar="NAME=ID:SECRET",
    )
    callback_allow: tuple[str, ...] = setting(
        (),
        "let callbacks reach a host or network the outbound policy refuses by default "
        "(link-local, cloud metadata, the mock's own ports)",
        metavar="HOST_OR_CIDR",
    )

    proxy: Mapping[str, str] = setting(
        {},
        "forward what no rule, header or magic value answers to the vendor's real API",
        flag="--proxy",
        metavar="NAME=URL",
    )
    proxy_timeout: float = setting(
        30.0,
        "time an upstream answer may take before a mock-level 502 (--proxy)",
        metavar="SECONDS",
    )
    record: Path | None = setting(
        None, "save each proxied exchange, redacted, as a JSON file in this folder", metavar="DIR"
    )
    store: str = setting(
        "memory",
        "where shared state lives: memory (this process), redis://HOST:PORT/DB (replicas), "
        "or local (a redis-server the command starts for its --workers)",
        metavar="URL",
    )
    workers: int = setting(
        1, "processes serving the port (more than 1 needs --store redis://...)", metavar="N"
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only what the caller passes: `load()` reads the environment, explicitly."""
        return (init_settings,)

    @field_validator("port")
    @classmethod
    def _port_in_range(cls, port: int) -> int:
        if port not in PORTS:
            raise ValueError(PORTS_PROBLEM)
        return port

    @field_validator("store")
    @classmethod
    def _store_url(cls, url: str) -> str:
        if url not in ("memory", "local") and not url.startswith(STORE_SCHEMES):
            raise ValueError("must be memory, local, or a redis://, rediss:// or unix:// URL")
        return url

    @field_validator("workers")
    @classmethod
    def _workers(cls, workers: int, info: ValidationInfo) -> int:
        if workers < 1:
            raise ValueError("must be at least 1")
        if workers > 1 and info.data.get("store", "memory") == "memory":
            raise ValueError(
                "more than 1 worker needs a shared store (--store redis://... or local): each worker "
                "would otherwise keep its own scenarios, counters and journal"
            )
        return workers

    @field_validator("scenarios", "callback_allow", mode="before")
    @classmethod
    def _list(cls, value: Any, info: ValidationInfo) -> Any:
        return _split(value, str(info.field_name))

    @field_validator("vendor_ports", mode="before")
    @classmethod
    def _vendor_ports(cls, value: Any) -> Any:
        return _pairs(value, "vendor_ports", _port_item)

    @field_validator("webhooks", mode="before")
    @classmethod
    def _webhooks(cls, value: Any) -> Any:
        return _pairs(value, "webhooks", lambda name, url: url)

    @field_validator("record")
    @classmethod
    def _record(cls, folder: Path | None, info: ValidationInfo) -> Path | None:
        if folder is not None and not info.data.get("proxy"):
            raise ValueError("records proxied exchanges only: give --proxy VENDOR=URL too")
        return folder

    @field_validator("proxy", mode="before")
    @classmethod
    def _proxy(cls, value: Any) -> Any:
        return _pairs(value, "proxy", _upstream_item)

    @field_validator("credentials", mode="before")
    @classmethod
    def _credentials(cls, value: Any) -> Any:
        return _pairs(value, "credentials", _credential_item)


def _split(value: Any, name: str) -> Any:
    """A variable's text as its list of items; anything else as it is."""
    if not isinstance(value, str):
        return value
    return tuple(item for item in re.split(options()[name].items, value.strip()) if item)


def _pairs(value: Any, name: str, parse: Callable[[str, str], object]) -> Any:
    """`NAME=VALUE` items (a variable's text or repeated flags) as a dict; a mapping as it is."""
    if isinstance(value, Mapping):
        return value
    out: dict[str, object] = {}
    for item in _split(value, name):
        key, sep, text = item.partition("=")
        if not sep or not key or not text:
            raise ItemError(repr(item), "expected " + _shape(name))
        out[key] = parse(key, text)
    return out


def _shape(name: str) -> str:
    """How one item of a NAME=VALUE setting looks, as error messages put it."""
    shape = str(options()[name].metavar)
    return f"{shape}, e.g. signalwire=9001" if name == "vendor_ports" else shape


def _port_item(name: str, port: str) -> int:
    if not port.isdigit():
        raise ItemError(repr(f"{name}={port}"), "expected " + _shape("vendor_ports"))
    if int(port) not in PORTS:
        raise ItemError(f"{name}={port}", PORTS_PROBLEM)
    return int(port)


def _upstream_item(name: str, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ItemError(f"{name}={url!r}", "expected an http:// or https:// base URL")
    return url.rstrip("/")


def _credential_item(name: str, value: str) -> tuple[str, str]:
    identity, sep, secret = value.partition(":")
    if not sep or not identity or not secret:
        raise ItemError(f"{name}={value!r}", "expected " + _shape("credentials"))
    return identity, secret


Kind = Literal["scalar", "switch", "list", "map"]


@dataclass(frozen=True)
class Option:
    """One setting as the outside world spells it: flag, variable, help, value syntax."""

    name: str
    flag: str
    env: str
    help: str
    default: object
    kind: Kind
    value_type: type  # a scalar's type, a list's item type; str for a map's NAME=VALUE items
    choices: tuple[str, ...] = ()
    metavar: str | None = None
    off: str | None = None
    items: str = ITEMS

    @property
    def shown_default(self) -> str:
        """The default as help and docs print it; "" when there is none."""
        value = self.default
        if isinstance(value, bool):
            return "on" if value else "off"
        if value is None or value in ((), {}):
            return ""
        return f"{value:g}" if isinstance(value, float) else str(value)

    @property
    def syntax(self) -> str:
        """How the variable's value is written, where that is not a plain value."""
        if self.kind == "switch":
            return "true or false"
        if self.kind == "scalar":
            return ""
        return "items separated by commas" + (" or spaces" if self.items == ITEMS else "")


@functools.cache
def options() -> Mapping[str, Option]:
    """Every setting's Option, in declaration order."""
    return types.MappingProxyType({name: _option(name) for name in Settings.model_fields})


def _option(name: str) -> Option:
    field = Settings.model_fields[name]
    extra = field.json_schema_extra
    assert isinstance(extra, dict)
    cli = extra["cli"]
    assert isinstance(cli, dict)
    kind, value_type, choices = _kind(field.annotation)
    return Option(
        name=name,
        flag=str(cli.get("flag", "--" + name.replace("_", "-"))),
        env=ENV_PREFIX + name.upper(),
        help=field.description or "",
        default=field.default,
        kind=kind,
        value_type=value_type,
        choices=choices,
        metavar=str(cli["metavar"]) if "metavar" in cli else None,
        off=str(cli["off"]) if "off" in cli else None,
        items=str(cli["items"]),
    )


def _kind(annotation: Any) -> tuple[Kind, type, tuple[str, ...]]:
    """What a field's type makes of its option: kind, value type, choices."""
    origin, args = get_origin(annotation), get_args(annotation)
    if annotation is bool:
        return "switch", bool, ()
    if origin is Literal:
        return "scalar", str, tuple(args)
    if origin in (Union, types.UnionType):  # `X | None`: the option takes an X
        return _kind(next(a for a in args if a is not type(None)))
    if origin is tuple:
        return "list", args[0], ()
    if origin is not None and issubclass(origin, Mapping):
        return "map", str, ()
    return "scalar", annotation, ()


def load(
    flags: Mapping[str, object], vendors: Collection[str] = ()
) -> tuple[Settings, dict[str, str]]:
    """Settings from flags, else MOCKSERVER_* variables, else defaults; and each one's source.

    The second value maps every setting that was given to the flag or variable that gave
    it. A bad value raises ValueError with one line naming that flag or variable; so does a
    NAME in a NAME=VALUE setting that is not one of `vendors` (when they are given).
    """
    every = options()
    # declared names only, empty values dropped; the text is left for the validators
    env: dict[str, Any] = EnvSettingsSource(Settings)()
    values = {**env, **flags}
    where = {name: every[name].flag if name in flags else every[name].env for name in values}
    try:
        settings = Settings(**values)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        name = str(first["loc"][0])
        raise ValueError(_one_line(first, where[name], values[name], name in flags)) from None
    _check_vendors(settings, where, vendors)
    return settings, where


def _check_vendors(settings: Settings, where: Mapping[str, str], vendors: Collection[str]) -> None:
    """Every NAME of a NAME=VALUE setting is a vendor (nothing to check without `vendors`)."""
    maps = [name for name, option in options().items() if option.kind == "map"]
    for name in maps if vendors else ():
        unknown = [key for key in getattr(settings, name) if key not in vendors]
        if unknown:
            raise ValueError(
                f"{where[name]}: unknown vendor {unknown[0]!r}; known: {sorted(vendors)}"
            )


# pydantic's wording for a value of the wrong type, as a person would say it
PROBLEMS = {
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_parsing": "expected a number",
    "bool_parsing": "expected true or false (also 1/0, yes/no, on/off)",
}


def _one_line(error: ErrorDetails, source: str, raw: object, flag: bool) -> str:
    """`--port 70000: must be ...`, `MOCKSERVER_PORT='x': expected ...`, `--vendor-port a=1: ...`."""
    ctx = error.get("ctx", {})
    cause = ctx.get("error")
    if isinstance(cause, ItemError):
        return f"{source} {cause.item}: {cause.problem}"
    if isinstance(cause, ValueError):
        problem = str(cause)
    elif error["type"] == "literal_error":
        problem = f"expected {ctx.get('expected')}"
    else:
        problem = PROBLEMS.get(error["type"], error["msg"][:1].lower() + error["msg"][1:])
    return f"{source} {raw}: {problem}" if flag else f"{source}={raw!r}: {problem}"
