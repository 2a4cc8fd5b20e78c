"""Credentials never leave the server: any key spelling, any body shape, any admin answer or log."""

from __future__ import annotations

import io
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient

from mockserver.callbacks.sender import Callback, CallbackRecord
from mockserver.journal.redaction import REDACTED, redact_body, redact_text
from mockserver.server.app import create_app
from mockserver.server.services import Services
from mockserver.telemetry import logs

ClientFactory = Callable[..., Awaitable[TestClient]]
# every shown fragment of the secret starts with this: a value cut short must not leak either
MARK = "Sup3r"
SECRET = f"{MARK}SecretValue"
RC = "/ringcentral/restapi/v1.0/account/~/extension/~/sms"
RC_TOKEN = "/ringcentral/restapi/oauth/token"
RC_AUTHORIZE = "/ringcentral/restapi/oauth/authorize"
SW = "/signalwire/api/laml/2010-04-01/Accounts/PJ1/Messages.json"
BIG = "x" * 40_000  # over the 32 KiB of body the journal keeps


def multipart(**fields: str) -> FormData:
    form = FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    form.add_field("media", SECRET.encode(), filename="photo.png", content_type="image/png")
    return form


def cut_json(key: str, cut: int) -> bytes:
    """A JSON body whose first `cut` bytes end inside the secret-named member's value."""
    head = json.dumps({"pad": "y" * (cut - 40), key: ""})[:-3]
    body = (head + f'"{SECRET * 10}", "z": "{BIG}"}}').encode()
    assert body.index(SECRET.encode()) < cut < body.rindex(SECRET.encode())
    return body


# (id, method, path, request kwargs): where the secret is, in which shape and key spelling
CASES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("json-camel-privateKey", "POST", RC, {"json": {"privateKey": SECRET}}),
    ("json-snake-private_key", "POST", RC, {"json": {"private_key": SECRET}}),
    ("json-upper-PRIVATE-KEY", "POST", RC, {"json": {"PRIVATE-KEY": SECRET}}),
    ("json-credentials", "POST", RC, {"json": {"credentials": {"user": "u", "pw": SECRET}}}),
    ("json-credentials-string", "POST", RC, {"json": {"credentials": SECRET}}),
    ("json-auth", "POST", RC, {"json": {"auth": SECRET}}),
    ("json-nested-clientSecret", "POST", RC, {"json": {"a": [{"b": {"clientSecret": SECRET}}]}}),
    ("json-client_assertion", "POST", RC_TOKEN, {"json": {"client_assertion": SECRET}}),
    ("json-oauth-code", "POST", RC_TOKEN, {"json": {"grant_type": "x", "code": SECRET}}),
    ("json-apiKey", "POST", SW, {"json": {"apiKey": SECRET}}),
    ("json-basicAuth", "POST", SW, {"json": {"basicAuth": SECRET}}),
    ("form-oauth-code", "POST", RC_TOKEN, {"data": {"grant_type": "c", "code": SECRET}}),
    ("form-clientAssertion", "POST", RC_TOKEN, {"data": {"clientAssertion": SECRET}}),
    ("form-code_verifier", "POST", RC_TOKEN, {"data": {"code_verifier": SECRET}}),
    ("form-Auth-Token", "POST", SW, {"data": {"Auth-Token": SECRET}}),
    ("header-x-signalwire-signature", "POST", SW, {"headers": {"X-Signalwire-Signature": SECRET}}),
    ("header-x-twilio-signature", "POST", SW, {"headers": {"X-Twilio-Signature": SECRET}}),
    ("header-x-hub-signature", "POST", RC, {"headers": {"X-Hub-Signature": SECRET}}),
    ("header-x-auth", "GET", RC, {"headers": {"X-Auth": SECRET}}),
    ("header-proxy-authorization", "GET", RC, {"headers": {"Proxy-Authorization": SECRET}}),
    ("header-cookie", "GET", RC, {"headers": {"Cookie": f"sid={SECRET}"}}),
    ("query-auth", "GET", f"{RC}?auth={SECRET}", {}),
    ("query-apiKey", "GET", f"{RC}?apiKey={SECRET}", {}),
    ("query-Signature", "GET", f"{SW}?Signature={SECRET}", {}),
    ("query-oauth-code", "GET", f"{RC_AUTHORIZE}?code={SECRET}&state=s", {}),
    ("query-client_secret", "GET", f"{RC}?CLIENT_SECRET={SECRET}", {}),
    (
        "json-over-32k-secret-first",
        "POST",
        RC,
        {"json": {"password": SECRET, "pad": BIG}},
    ),
    ("multipart-field", "POST", SW, {"data": multipart(To="+1555", password=SECRET)}),
    ("multipart-token-field", "POST", SW, {"data": multipart(access_token=SECRET)}),
    (
        "form-sent-as-text-plain",
        "POST",
        SW,
        {"data": f"To=%2B1555&AuthToken={SECRET}", "headers": {"Content-Type": "text/plain"}},
    ),
    (
        "form-sent-as-json",
        "POST",
        SW,
        {"data": f"client_secret={SECRET}", "headers": {"Content-Type": "application/json"}},
    ),
    (
        "json-sent-as-form",
        "POST",
        RC_TOKEN,
        {
            "data": json.dumps({"refreshToken": SECRET}),
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        },
    ),
    (
        "json-broken",
        "POST",
        RC,
        {"data": f'{{"password": "{SECRET}", ', "headers": {"Content-Type": "application/json"}},
    ),
]

# a rule that nearly matches every case: its mismatches quote the request's values
NEAR = {
    "name": "near",
    "vendor": "ringcentral",
    "rules": [
        {
            "name": "wants-other-credentials",
            "match": {
                "path": {"prefix": "/restapi"},
                "headers": {"x-auth": "other", "authorization": "Bearer other"},
                "query": {"auth": "other", "code": "other"},
                "body": {"privateKey": "other", "a.0.b.clientSecret": "other"},
                "form": {"code": "other"},
            },
            "error": "CMN-301",
        }
    ],
}


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    logs.configure("json", stream=stream)
    yield stream
    logs.unconfigure()


@pytest.fixture
async def served(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services], log: io.StringIO
) -> TestClient:
    services = make_services(defaults=False)  # near misses are then the rule below
    services.pipeline.recorders = (*services.pipeline.recorders, logs.AccessLogRecorder())
    client = await aiohttp_client(create_app(services.settings, services))
    resp = await client.post("/__admin/scenarios", json=NEAR)
    assert resp.status in (200, 201), await resp.text()
    return client


async def admin_answers(client: TestClient) -> str:
    """Every admin answer that shows requests: journal, unmatched with near misses, callbacks."""
    texts = []
    for path in ("/__admin/requests", "/__admin/requests/unmatched", "/__admin/callbacks"):
        resp = await client.get(path)
        assert resp.status == 200
        texts.append(await resp.text())
    return "\n".join(texts)


@pytest.mark.parametrize(
    ("method", "path", "kwargs"), [pytest.param(*c[1:], id=c[0]) for c in CASES]
)
async def test_a_secret_never_reaches_an_admin_answer_or_a_log(
    served: TestClient, log: io.StringIO, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    resp = await served.request(method, path, **kwargs)
    await resp.read()
    answers = await admin_answers(served)
    assert json.loads(answers.split("\n")[0])["requests"], "the request was journaled"
    assert REDACTED in answers
    assert MARK not in answers
    assert log.getvalue(), "the access line was written"
    assert MARK not in log.getvalue()


async def test_near_misses_name_the_part_but_blank_the_value(served: TestClient) -> None:
    resp = await served.post(
        f"/ringcentral/restapi/v1.0/x?auth={SECRET}", json={"privateKey": SECRET, "to": "1"}
    )
    await resp.read()
    (entry,) = (await (await served.get("/__admin/requests/unmatched")).json())["requests"]
    (miss,) = [m for m in entry["near_misses"] if m["rule"] == "wants-other-credentials"]
    assert "query.auth: expected equals 'other' got '***'" in miss["mismatches"]
    assert "body.privateKey: expected equals 'other' got '***'" in miss["mismatches"]
    assert MARK not in json.dumps(entry)


async def test_harmless_look_alike_keys_are_kept(served: TestClient) -> None:
    harmless = {
        "errorCode": "E1",
        "countryCode": "AU",
        "code": "C1",
        "keyword": "kw",
        "author": "me",
        "authorName": "Ann",
        "monkey": "m",
    }
    await (await served.post(f"{RC}?code=C2&country_code=AU", json=harmless)).read()
    (entry,) = (await (await served.get("/__admin/requests")).json())["requests"]
    assert json.loads(entry["body"]) == harmless
    assert entry["query"] == {"code": "C2", "country_code": "AU"}


async def test_the_authorization_scheme_is_kept_for_debugging(served: TestClient) -> None:
    await (await served.get(RC, headers={"Authorization": f"Bearer {SECRET}"})).read()
    (entry,) = (await (await served.get("/__admin/requests")).json())["requests"]
    assert entry["headers"]["authorization"] == "Bearer ***"


def test_json_cut_inside_a_secret_value_shows_no_part_of_it() -> None:
    body = cut_json("clientSecret", 1000)[:1000]  # the journal keeps a body's first 32 KiB
    text = redact_body(body, "application/json")
    assert text.endswith('"clientSecret": ***')
    assert MARK not in text


def test_multipart_files_are_shown_by_name_and_size_never_their_bytes() -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="To"\r\n\r\n+1555\r\n'
        b'--b\r\nContent-Disposition: form-data; name="apiKey"\r\n\r\n' + SECRET.encode() + b"\r\n"
        b'--b\r\nContent-Disposition: form-data; name="media"; filename="a.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + SECRET.encode() + b"\r\n--b--\r\n"
    )
    text = redact_body(body, "multipart/form-data; boundary=b")
    assert text == "To=%2B1555&apiKey=***&media=[file 'a.png', 16 bytes]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f'{{"a": 1, "clientSecret": "{SECRET}', '{"a": 1, "clientSecret": ***'),
        (f'{{"token": "{SECRET}", "b": [', '{"token": "***", "b": ['),
        (f'{{"PIN": 1234, "n": "{SECRET[:3]}"', '{"PIN": ***, "n": "Sup"'),
        (f"Authorization: Bearer {SECRET}\r\nHost: x", "Authorization: ***\r\nHost: x"),
        (f"x=1&private-key={SECRET}", "x=1&private-key=***"),
    ],
)
def test_the_tolerant_scan_blanks_what_cannot_be_parsed(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_callbacks_show_no_signature_and_no_token_in_their_url() -> None:
    callback = Callback(
        vendor="signalwire",
        session=None,
        url=f"https://hooks.example/status?auth={SECRET}&id=1",
        body=b'{"MessageStatus": "sent"}',
        content_type="application/json",
        headers=(("X-SignalWire-Signature", SECRET),),
    )
    shown = CallbackRecord(1, callback, 0.0).to_dict()
    assert shown["url"] == "https://hooks.example/status?auth=***&id=1"
    assert shown["headers"] == {"X-SignalWire-Signature": "***"}
    assert json.loads(shown["payload"]) == {"MessageStatus": "sent"}


async def test_a_broken_json_body_is_redacted_not_dropped(served: TestClient) -> None:
    await (await served.post(RC, data=b'{"password": "' + b"a" * 60_000)).read()
    (entry,) = (await (await served.get("/__admin/requests")).json())["requests"]
    assert entry["body"].startswith('{"password": ***')
