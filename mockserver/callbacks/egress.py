"""Outbound policy for callbacks: which addresses the mock may send HTTP to, checked after DNS."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Net = ipaddress.IPv4Network | ipaddress.IPv6Network

# link-local (incl. AWS/GCP/Azure 169.254.169.254, AWS IPv6 fd00:ec2::254) and Alibaba's
# 100.100.100.200: cloud metadata services hand out credentials to whoever asks
REFUSED_NETS: tuple[Net, ...] = tuple(
    ipaddress.ip_network(n)
    for n in ("169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128", "100.100.100.200/32")
)
REFUSED_NAMES = frozenset({"metadata.google.internal", "metadata.goog", "metadata"})
_HOST = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")
HINT = "allow it with --callback-allow (or MOCKSERVER_CALLBACK_ALLOW)"


class Refused(OSError):
    """A callback target the outbound policy refuses; the message names the rule and the flag."""


def refusal_of(err: BaseException) -> str | None:
    """The policy's reason when a client error is a refusal at connect time, else None."""
    cause = getattr(err, "os_error", err)  # aiohttp wraps the resolver's error
    return str(cause) if isinstance(cause, Refused) else None


def _ip(text: str) -> IP | None:
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    # ::ffff:169.254.169.254 reaches the IPv4 address: judge it as that
    mapped = getattr(ip, "ipv4_mapped", None)
    return mapped if mapped is not None else ip


def _local_addresses() -> set[IP]:
    """This machine's own addresses (what a listener on 0.0.0.0 or :: also answers on)."""
    found: set[IP] = set()
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None)
    except OSError:
        return found
    for info in infos:
        ip = _ip(str(info[4][0]))
        if ip is not None:
            found.add(ip)
    return found


def parse_allow(item: str) -> Net | str:
    """One --callback-allow item: a network (an address is a /32 or /128) or a host name."""
    text = item.strip()
    try:
        return ipaddress.ip_network(text.strip("[]"), strict=False)
    except ValueError:
        pass
    name = text.lower().rstrip(".")
    if "/" in text or not _HOST.fullmatch(name):
        raise ValueError(
            f"--callback-allow {item!r}: expected a host name, an IP address or a CIDR "
            "(e.g. hook.local, 10.1.2.3, 10.0.0.0/8)"
        )
    return name


class EgressPolicy:
    """Refuses link-local/metadata targets and the mock's own listeners unless allowed."""

    def __init__(self, allow: Iterable[str] = ()) -> None:
        self.allow_nets: list[Net] = []
        self.allow_hosts: set[str] = set()
        for item in allow:
            self._add_allowed(item)
        self.ports: set[int] = set()
        self.hosts: set[IP] = set()
        self._local: set[IP] | None = None

    def _add_allowed(self, item: str) -> None:
        allowed = parse_allow(item)
        if isinstance(allowed, str):
            self.allow_hosts.add(allowed)
        else:
            self.allow_nets.append(allowed)

    def listen(self, host: str, port: int) -> None:
        """Note one of the mock's own listeners (host as bound; 0.0.0.0/:: mean any local)."""
        self.ports.add(port)
        ip = _ip(host)
        if ip is not None and not ip.is_unspecified:
            self.hosts.add(ip)
        elif self._local is None:
            self._local = _local_addresses()

    def _allowed(self, host: str, ip: IP | None) -> bool:
        if host.lower().rstrip(".") in self.allow_hosts:
            return True
        return ip is not None and any(ip in net for net in self.allow_nets)

    def refusal(self, host: str, address: str, port: int) -> str | None:
        """Why sending to `address:port` (named `host` in the URL) is refused, or None."""
        ip = _ip(address)
        if self._allowed(host, ip):
            return None
        name = host.lower().rstrip(".")
        if name in REFUSED_NAMES:
            return f"callback policy refuses {host} (cloud metadata); {HINT}"
        if ip is None:
            return None
        if any(ip in net for net in REFUSED_NETS):
            return f"callback policy refuses {ip} (link-local / cloud metadata); {HINT}"
        if port in self.ports and self._own(ip):
            return f"callback policy refuses {ip}:{port} (the mock's own listener); {HINT}"
        return None

    def _own(self, ip: IP) -> bool:
        wildcard = self._local is not None
        if ip in self.hosts or ip.is_unspecified:
            return True
        return wildcard and (ip.is_loopback or ip in (self._local or set()))

    async def vet(self, url: str) -> str | None:
        """Resolve the URL's host and check every address; the refusal, or None."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return None  # the client reports the bad URL itself
        if _ip(host) is not None or host.lower().rstrip(".") in REFUSED_NAMES:
            return self.refusal(host, host, port)
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port)
        except OSError:
            return None  # nothing to connect to: the client's own error says so
        for info in infos:
            reason = self.refusal(host, str(info[4][0]), port)
            if reason is not None:
                return reason
        return None

    def session(self, timeout: float) -> aiohttp.ClientSession:
        """A client whose every connection is re-checked at resolve time (no DNS rebinding)."""
        connector = aiohttp.TCPConnector(resolver=_CheckingResolver(self))
        return aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)
        )


class _CheckingResolver(AbstractResolver):
    """Resolves as aiohttp does, then refuses the lot if any address is refused."""

    def __init__(self, policy: EgressPolicy) -> None:
        self.policy = policy
        self.inner = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self.inner.resolve(host, port, family)
        for result in found:
            reason = self.policy.refusal(host, result["host"], port)
            if reason is not None:
                raise Refused(reason)
        return found

    async def close(self) -> None:
        await self.inner.close()
