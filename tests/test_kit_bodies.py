"""The vendor kit's strict JSON: what every vendor's parser refuses, refused once for all."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.request import bodies
from mockserver.request.bodies import MalformedBody, is_blank, strict_json
from mockserver.request.snapshot import RequestSnapshot

REFUSED = {
    "NaN": b'{"a": NaN}',
    "Infinity": b'{"a": -Infinity}',
    "escaped lone surrogate": b'{"a": "\\ud800"}',
    "UTF-8-encoded lone surrogate": b'{"a": "\xed\xa0\x80"}',
    "UTF-16 lone surrogate": '{"a": "\ud800"}'.encode("utf-16-le", "surrogatepass"),
    "trailing data": b'{"a": 1} x',
    "bad UTF-8": b'{"a": "\xff"}',
    "too deep": b"[" * 100_000 + b"]" * 100_000,
}
ACCEPTED = {
    "escaped pair": (b'{"a": "\\ud83d\\ude00"}', {"a": "\U0001f600"}),
    "escaped BMP": (b'{"a": "caf\\u00e9"}', {"a": "café"}),
    "raw UTF-8": ('{"a": "日本"}'.encode(), {"a": "日本"}),
    "UTF-16 with BOM": ('{"a": "x"}'.encode("utf-16"), {"a": "x"}),
    "a list": (b"[1, 2]", [1, 2]),
}


@pytest.mark.parametrize("raw", REFUSED.values(), ids=REFUSED.keys())
def test_what_a_vendor_parser_refuses_is_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedBody):
        strict_json(raw)


@pytest.mark.parametrize(("raw", "value"), ACCEPTED.values(), ids=ACCEPTED.keys())
def test_valid_json_parses_as_json_loads_would(raw: bytes, value: object) -> None:
    assert strict_json(raw) == value


def test_blank_bodies() -> None:
    assert is_blank(b"")
    assert is_blank(b" \r\n\t")
    assert not is_blank(b"{}")


def test_a_request_body_is_parsed_once_for_rules_and_handlers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parses: list[str | bytes] = []
    real, strict = json.loads, bodies._STRICT.decode
    monkeypatch.setattr(json, "loads", lambda raw, **kw: parses.append(raw) or real(raw, **kw))
    # strict parsing goes through one shared decoder, not json.loads
    monkeypatch.setattr(bodies._STRICT, "decode", lambda text: parses.append(text) or strict(text))
    snapshot = RequestSnapshot(vendor="signalwire", method="POST", path="/x", body=b'{"a": 1}')
    assert snapshot.json == {"a": 1}  # what a rule's body match reads
    assert snapshot.strict_json() == {"a": 1}  # what a handler's call.json reads
    assert len(parses) == 1


def test_the_lenient_view_still_reads_what_strict_parsing_refuses() -> None:
    snapshot = RequestSnapshot(vendor="signalwire", method="POST", path="/x", body=b'{"a": NaN}')
    assert snapshot.json_valid
    with pytest.raises(MalformedBody):
        snapshot.strict_json()


def test_strict_parsing_builds_no_decoder_per_body(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []
    real = json.JSONDecoder.__init__

    def counting(self: json.JSONDecoder, **kw: object) -> None:
        built.append(self)
        real(self, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(json.JSONDecoder, "__init__", counting)
    for raw in (b'{"a": 1}', b"[1, 2]", b'"x"'):
        strict_json(raw)
    assert built == []  # one shared decoder, made at import


FORM_ALPHABET = "ab=&+%2Bf3AéC9 \u00e9\ud800"


@pytest.mark.parametrize(
    "text",
    [
        "To=%2B15005550001&From=%2b1555&Body=Hi+there%21",
        "a&&b=&=c&d=%&e=%2&f=%zz&g=%C3%A9&h=%E9&i=caf%C3%A9+%2B1",
        "k=%F0%9F%98%80&j=%ED%A0%80&l=%%41",
        "",
        "&",
        "x==y&é=ü",
    ],
)
def test_form_parsing_agrees_with_parse_qsl(text: str) -> None:
    assert bodies.parse_form(text) == tuple(parse_qsl(text, keep_blank_values=True))


@given(st.text(alphabet=FORM_ALPHABET, max_size=40))
def test_form_parsing_agrees_with_parse_qsl_on_any_text(text: str) -> None:
    assert bodies.parse_form(text) == tuple(parse_qsl(text, keep_blank_values=True))
