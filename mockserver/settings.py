"""Server settings: one frozen object built from CLI flags and MOCKSERVER_* environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path


class StartupError(Exception):
    """Settings the server cannot start with (a port in use, a host that does not resolve)."""


@dataclass(frozen=True)
class Settings:
    """Everything the server can be configured with.

    Attributes:
        host: address to bind; loopback by default (a container sets 0.0.0.0 explicitly).
        port: main port; 0 picks a free one.
        vendor_ports: vendor name -> extra port serving that vendor at the root path.
        seed: seed for generated data and seeded randomness.
        scenarios: scenario files or folders loaded at start and watched.
        catalog_dir: an alternative catalog folder (default: the shipped one).
        admin_token: when set, every /__admin call needs `Authorization: Bearer <token>`.
        journal_size: how many requests the journal keeps.
        journal_bytes: bytes of requests (kept body + headers) the journal may hold.
        session_ttl: seconds after which an idle session's rule counters are forgotten.
        session_cap: sessions whose rule counters are kept (least recently active go first).
        max_body: largest request body accepted, in bytes.
        max_scenario_bytes: largest scenario file or admin upload, in bytes (parsing and
            validating cost grows with it).
        watch_interval: seconds between scenario file checks (0 disables watching).
        log_format: "text" or "json".
        access_log: log one line per vendor request (method, path, status, outcome, rule).
        resource_limit: how many happy-path resources (messages, calls...) are kept.
        callback_log_size: how many callbacks the callback log keeps.
        token_ttl: access-token lifetime in seconds for every vendor (None: vendor default).
        defaults: load the shipped default scenarios (magic test numbers).
        shutdown_grace: seconds in-flight requests and pending callbacks get on shutdown.
        read_timeout: seconds a vendor request's body may take to arrive once its head has
            (answered 408 and the connection closed); 0 waits forever.
        keepalive_timeout: seconds an idle connection, or one whose request head never
            completes (aiohttp >= 3.14.4), stays open.
        delivery_delay: seconds from accepting a message/call to its final status (and
            final callback); intermediate statuses come at fractions of it.
        webhook_secret: the secret vendor-signed webhooks are signed with, where the
            vendor signs with a configured secret (Yeastar X-Signature, Webex x-hub-signature).
        webhooks: vendor -> URL for vendors whose webhooks are configured in an admin
            console rather than per request (Yeastar); `--webhook yeastar=URL`.
        credentials: strict mode, per vendor: only this (identity, secret) pair is accepted
            (`--credentials signalwire=PROJECT:TOKEN`); vendors not named accept any
            well-formed credentials.
        callback_allow: hosts or CIDRs callbacks may reach although the outbound policy
            refuses them by default (link-local, cloud metadata, the mock's own ports).
    """

    host: str = "127.0.0.1"
    port: int = 8080
    vendor_ports: Mapping[str, int] = field(default_factory=dict)
    seed: int = 0
    scenarios: tuple[Path, ...] = ()
    catalog_dir: Path | None = None
    admin_token: str | None = None
    journal_size: int = 10_000
    journal_bytes: int = 64 * 1024 * 1024
    session_ttl: float = 3600.0
    session_cap: int = 10_000
    resource_limit: int = 10_000
    callback_log_size: int = 10_000
    max_body: int = 1_048_576
    max_scenario_bytes: int = 1_048_576
    watch_interval: float = 1.0
    log_format: str = "text"
    access_log: bool = False
    token_ttl: float | None = None
    defaults: bool = True
    shutdown_grace: float = 10.0
    read_timeout: float = 30.0
    keepalive_timeout: float = 75.0
    delivery_delay: float = 0.5
    webhook_secret: str = "mockserver-webhook-secret"
    webhooks: Mapping[str, str] = field(default_factory=dict)
    credentials: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    callback_allow: tuple[str, ...] = ()

    def merged_with_env(self, env: Mapping[str, str] | None = None) -> Settings:
        """Fill unset values from MOCKSERVER_* variables (flags win over the environment)."""
        env = os.environ if env is None else env
        changes: dict[str, object] = {}
        if "MOCKSERVER_ADMIN_TOKEN" in env and self.admin_token is None:
            changes["admin_token"] = env["MOCKSERVER_ADMIN_TOKEN"] or None
        allow = env.get("MOCKSERVER_CALLBACK_ALLOW", "")
        if allow and not self.callback_allow:
            changes["callback_allow"] = tuple(a.strip() for a in allow.split(",") if a.strip())
        return replace(self, **changes)  # type: ignore[arg-type]


def parse_vendor_ports(values: list[str], known: set[str]) -> dict[str, int]:
    """Parse `NAME=PORT` items; raise ValueError naming the bad item."""
    out: dict[str, int] = {}
    for item in values:
        name, sep, port = item.partition("=")
        if not sep or not port.isdigit():
            raise ValueError(f"--vendor-port {item!r}: expected NAME=PORT, e.g. signalwire=9001")
        if name not in known:
            raise ValueError(
                f"--vendor-port {item!r}: unknown vendor {name!r}; known: {sorted(known)}"
            )
        out[name] = check_port(f"--vendor-port {item}", int(port))
    return out


def check_port(flag: str, port: int) -> int:
    """The port, or a ValueError naming the flag when it is outside 0..65535."""
    if not 0 <= port <= 65535:
        raise ValueError(f"{flag}: must be between 0 and 65535")
    return port


def parse_pairs(values: list[str], flag: str, known: set[str]) -> dict[str, str]:
    """Parse `NAME=VALUE` items of a repeatable flag; raise ValueError naming the bad item."""
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not value:
            raise ValueError(f"{flag} {item!r}: expected NAME=VALUE")
        if name not in known:
            raise ValueError(f"{flag} {item!r}: unknown vendor {name!r}; known: {sorted(known)}")
        out[name] = value
    return out


def parse_credentials(values: list[str], known: set[str]) -> dict[str, tuple[str, str]]:
    """Parse `NAME=ID:SECRET` items of --credentials; raise ValueError naming the bad item."""
    out: dict[str, tuple[str, str]] = {}
    for name, value in parse_pairs(values, "--credentials", known).items():
        identity, sep, secret = value.partition(":")
        if not sep or not identity or not secret:
            raise ValueError(f"--credentials {name}={value!r}: expected NAME=ID:SECRET")
        out[name] = (identity, secret)
    return out
