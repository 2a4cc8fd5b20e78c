"""Credential redaction: one rule for secret names, applied to every shape a request takes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

REDACTED = "***"
DEFAULT_BODY_LIMIT = 8192

# Names are compared normalised: lower-case, without "-" and "_", so clientSecret,
# client_secret, Client-Secret and CLIENT_SECRET are one name.
# secret whatever surrounds them (x-api-key, refreshToken, X-Signalwire-Signature...)
_SECRET_PARTS = (
    "token",
    "password",
    "passwd",
    "secret",
    "signature",
    "credential",
    "apikey",
    "privatekey",
    "accesskey",
    "servicekey",
    "authorization",
)
# secret as the whole name only: as parts they would hit harmless names (keyword, author)
_SECRET_NAMES = frozenset(
    {
        "auth",
        "key",
        "cookie",
        "setcookie",
        "assertion",
        "clientassertion",
        "pwd",
        "pin",
        "codeverifier",
        "sig",
    }
)
# secret as a name's end: basicAuth, x-auth, OAuth
_SECRET_SUFFIXES = ("auth",)
# an OAuth authorization code is a credential, but `code` elsewhere is an error or country
# code: it is secret only in the query or body of an OAuth token/authorize request
_OAUTH_NAMES = frozenset({"code"})
_OAUTH_PATH = re.compile(r"oauth|token|authori[sz]e", re.IGNORECASE)
_SCHEMED = frozenset({"authorization", "proxyauthorization"})

# a "name": value member of JSON text that could not be parsed (cut short, or malformed)
_JSON_MEMBER = re.compile(
    r'"(?P<k>[^"\\]{1,200})"\s*:\s*(?P<v>"(?:[^"\\]|\\.)*(?:"|\\?$)|[^\s,}\]"]+)', re.DOTALL
)
# name=value of form-like text
_FORM_PAIR = re.compile(r"(?P<k>[^\s&=;?\"']{1,200})=(?P<v>[^&\s\"']*)")
# "Name: value" lines of header-like text (raw request heads, multipart part headers)
_HEADER_LINE = re.compile(r"(?P<k>[A-Za-z0-9_-]{1,200})[ \t]*:[ \t]*(?P<v>[^\r\n]*)")


def normalise(name: str) -> str:
    """The name compared against the secret names: lower-case, no "-" or "_"."""
    return name.lower().replace("-", "").replace("_", "")


def is_secret(name: str, oauth: bool = False) -> bool:
    """Whether a header, field or parameter name carries credentials.

    Args:
        name: the name in any case style (camelCase, snake_case, kebab-case, UPPER).
        oauth: the name belongs to an OAuth token/authorize request, where `code` is secret.
    """
    norm = normalise(name)
    return (
        norm in _SECRET_NAMES
        or any(part in norm for part in _SECRET_PARTS)
        or norm.endswith(_SECRET_SUFFIXES)
        or (oauth and norm in _OAUTH_NAMES)
    )


def is_oauth(path: str) -> bool:
    """Whether a request path is an OAuth (or other token-issuing) endpoint."""
    return _OAUTH_PATH.search(path) is not None


def _blank(name: str, value: str) -> str:
    if normalise(name) in _SCHEMED and " " in value.strip():
        return f"{value.split()[0]} {REDACTED}"  # the scheme helps debugging, the token never
    return REDACTED


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of `headers` with credentials (Authorization, Cookie, keys, signatures) blanked."""
    return {k: _blank(k, v) if is_secret(k) else v for k, v in headers.items()}


def redact_pairs(
    pairs: Iterable[tuple[str, str]], oauth: bool = False
) -> tuple[tuple[str, str], ...]:
    """Query or form pairs with secret-named values blanked."""
    return tuple((k, REDACTED if is_secret(k, oauth) else v) for k, v in pairs)


def redact_json(value: Any, oauth: bool = False) -> Any:
    """A JSON value with every secret-named member blanked, at any depth."""
    if isinstance(value, dict):
        return {
            k: REDACTED if is_secret(str(k), oauth) else redact_json(v, oauth)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_json(v, oauth) for v in value]
    return value


def redact_url(url: str, oauth: bool = False) -> str:
    """A URL or path with secret-named query parameters blanked."""
    if "?" not in url:
        return url
    parts = urlsplit(url)
    pairs = redact_pairs(parse_qsl(parts.query, keep_blank_values=True), oauth)
    return urlunsplit(parts._replace(query=urlencode(pairs, safe="*")))


def redact_text(text: str, oauth: bool = False) -> str:
    """Text of unknown or broken shape with secret-named values blanked by a tolerant scan.

    Catches JSON members (also in JSON cut short), name=value pairs and "Name: value" lines,
    so a body that cannot be parsed still shows its shape but never a credential.
    """

    def blank(found: re.Match[str]) -> str:
        if not is_secret(found["k"], oauth):
            return found[0]
        start, end = found.span("v") if found["v"] else (found.end(), found.end())
        value = found["v"]
        quoted = value.startswith('"') and value.endswith('"') and len(value) > 1
        new = f'"{REDACTED}"' if quoted else REDACTED
        base = found.start()
        return found[0][: start - base] + new + found[0][end - base :]

    for pattern in (_JSON_MEMBER, _FORM_PAIR, _HEADER_LINE):
        text = pattern.sub(blank, text)
    return text


def redact_body(
    body: bytes, content_type: str = "", limit: int = DEFAULT_BODY_LIMIT, oauth: bool = False
) -> str:
    """The body as text for the journal: secrets blanked in every shape, then truncated.

    Args:
        body: the raw request body (possibly cut short already).
        content_type: its Content-Type header (parameters such as a boundary kept).
        limit: characters kept; the rest is replaced by a marker saying how much was cut.
        oauth: the body of an OAuth token/authorize request (`code` is secret).

    Returns:
        Text safe to keep and show.
    """
    if not body:
        return ""
    media = content_type.split(";")[0].strip().lower()
    try:
        text = _redacted(body, media, content_type, oauth)
    except RecursionError:
        # too deep to walk for secrets: show nothing rather than risk showing one
        text = f"[{len(body)} bytes of JSON nested too deeply to redact]"
    if len(text) > limit:
        return f"{text[:limit]}...[{len(text) - limit} more characters]"
    return text


def _redacted(body: bytes, media: str, content_type: str, oauth: bool) -> str:
    if media.startswith("multipart/"):
        return _multipart(body, content_type, oauth)
    text = body.decode("utf-8", errors="replace")
    # the Content-Type is only a hint: clients send JSON as form and form as text/plain
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict | list):
        return json.dumps(redact_json(data, oauth), separators=(",", ":"), ensure_ascii=False)
    if media == "application/x-www-form-urlencoded" or _looks_like_form(text):
        return urlencode(redact_pairs(parse_qsl(text, keep_blank_values=True), oauth), safe="*")
    return redact_text(text, oauth)


def _looks_like_form(text: str) -> bool:
    return "=" in text and not any(c.isspace() for c in text.strip()) and "{" not in text


def _multipart(body: bytes, content_type: str, oauth: bool) -> str:
    """Multipart form fields as name=value pairs; files by name and size, never their bytes."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return redact_text(body.decode("utf-8", errors="replace"), oauth)
    pairs: list[tuple[str, str]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition") or ""
        payload = part.get_payload(decode=True)
        payload = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            pairs.append((str(name), f"[file {filename!r}, {len(payload)} bytes]"))
        else:
            pairs.append((str(name), payload.decode("utf-8", errors="replace")))
    return urlencode(redact_pairs(pairs, oauth), safe="*[]' ,", quote_via=quote)
