"""Shared credential helpers: Basic decoding is total, strict mode compares both parts."""

from __future__ import annotations

import base64

import pytest
from aiohttp.test_utils import TestClient

from mockserver.vendors.credentials import basic_credentials, basic_user, same, strict_ok


def basic(text: str) -> str:
    return "Basic " + base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (basic("proj:tok"), ("proj", "tok")),
        (basic("proj:tok:with:colons"), ("proj", "tok:with:colons")),
        (basic("proj:"), ("proj", "")),
        ("  basic " + base64.b64encode(b"a:b").decode() + " ", ("a", "b")),
        (basic("no-colon"), ("no-colon", "")),
        ("Bearer abc", None),
        ("Basic !!!", None),
        ("Basic é", None),  # non-ASCII: b64decode raises a plain ValueError
        ("Basic " + base64.b64encode(b"\xff\xfe:x").decode(), None),  # not UTF-8
        ("", None),
    ],
)
def test_basic_credentials(header: str, expected: tuple[str, str] | None) -> None:
    assert basic_credentials(header) == expected


def test_basic_user() -> None:
    assert basic_user(basic("client:secret")) == "client"
    assert basic_user(basic(":secret")) is None
    assert basic_user("Basic é") is None


def test_strict_ok_and_same() -> None:
    assert strict_ok(None, "anyone", "anything")
    assert strict_ok(("id", "secret"), "id", "secret")
    assert not strict_ok(("id", "secret"), "id", "wrong")
    assert not strict_ok(("id", "secret"), "other", "secret")
    assert same("ünïcode", "ünïcode")
    assert not same("\udcff", "x")  # lone surrogates from odd headers compare, not raise


async def test_non_ascii_basic_header_gets_the_vendor_auth_error(client: TestClient) -> None:
    resp = await client.get(
        "/signalwire/2010-04-01/Accounts/P/Messages.json", headers={"Authorization": "Basic é"}
    )
    assert resp.status == 401
    assert (await resp.json())["code"] == 20003
