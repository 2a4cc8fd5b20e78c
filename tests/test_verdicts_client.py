"""MockSession's verdict calls and the report helpers, against a fake `GET /__admin/report`."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mockserver.testing import reports
from mockserver.testing.client import MockSession

SEND = "/2010-04-01/Accounts/p/Messages.json"


def fake_report(*verdicts: str) -> dict[str, Any]:
    occurrences = [
        {
            "session": "s",
            "time": float(i),
            "operation": f"POST {SEND}",
            "method": "POST",
            "path": SEND,
            "verdict": verdict,
            "behaviour": f"behaviour {i}",
        }
        for i, verdict in enumerate(verdicts)
    ]
    counts = {v: verdicts.count(v) for v in reports.VERDICTS}
    return {
        "errors": [
            {
                "vendor": "signalwire",
                "key": "21211",
                "code": "21211",
                "status": 400,
                "tags": ["validation"],
                "served": len(verdicts),
                "occurrences": occurrences,
            }
        ],
        "coverage": {},
        "summary": {"served": len(verdicts), **counts, "sessions": 1, "by_tag": {}},
    }


class FakeAdmin:
    """Answers GET /__admin/report with `answer`, keeping the queries it was asked."""

    def __init__(self) -> None:
        self.queries: list[dict[str, str]] = []
        self.answer = fake_report("ok")
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                fake.queries.append(query)
                if url.path != "/__admin/report":
                    self.send_error(404)
                    return
                fmt = query.get("format", "json")
                body = json.dumps(fake.answer) if fmt == "json" else f"<{fmt} page>"
                self.send_response(200)
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def admin() -> Iterator[FakeAdmin]:
    fake = FakeAdmin()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def test_verdicts_asks_the_report_of_its_own_session(admin: FakeAdmin) -> None:
    mock = MockSession(admin.url, "mine")
    assert mock.verdicts() == admin.answer
    assert admin.queries == [{"session": "mine", "format": "json"}]


def test_report_returns_the_rendered_page(admin: FakeAdmin) -> None:
    assert MockSession(admin.url, "mine").report(format="html") == "<html page>"
    assert admin.queries == [{"session": "mine", "format": "html"}]


def test_assert_no_bad_verdicts_names_what_was_done_badly(admin: FakeAdmin) -> None:
    mock = MockSession(admin.url, "mine")
    mock.assert_no_bad_verdicts()
    admin.answer = fake_report("ok", "bad")
    with pytest.raises(
        AssertionError,
        match=r"2 errors served, 1 handled badly: 21211 on POST"
        r" \.\.\./Messages\.json behaviour 1$",
    ):
        mock.assert_no_bad_verdicts()


def test_summary_line_names_three_bad_ones_then_counts_the_rest() -> None:
    line = reports.summary_line(fake_report("bad", "unknown", "bad", "bad", "bad", "bad", "bad"))
    assert line == (
        "mockserver: 7 errors served, 6 handled badly, 1 unknown: "
        "21211 on POST .../Messages.json behaviour 0; 21211 on POST .../Messages.json "
        "behaviour 2; 21211 on POST .../Messages.json behaviour 3; +3 more"
    )
    same = fake_report("bad", "bad")
    same["errors"][0]["occurrences"][1]["behaviour"] = "behaviour 0"
    assert reports.summary_line(same).endswith(": 21211 on POST .../Messages.json behaviour 0 (x2)")
    assert reports.summary_line(reports.empty()) == "mockserver: no catalogued error served"
    assert reports.summary_line(fake_report("ok")) == "mockserver: 1 error served, 0 handled badly"


def test_merge_sums_and_orders_occurrences_by_time() -> None:
    late, early = fake_report("bad"), fake_report("ok")
    late["errors"][0]["occurrences"][0]["time"] = 9.0
    merged = reports.merge([late, early])
    assert [o["verdict"] for o in merged["errors"][0]["occurrences"]] == ["ok", "bad"]
    assert merged["summary"] | {"by_tag": {}} == {
        "served": 2,
        "ok": 1,
        "bad": 1,
        "unknown": 0,
        "sessions": 2,
        "by_tag": {},
    }
    assert reports.merge([]) == reports.empty()


def test_merge_keeps_the_largest_more_marker_of_a_cut_list() -> None:
    def covered(served: dict[str, int], missing: list[str]) -> dict[str, Any]:
        report = reports.empty()
        operation = {"served": served, "not_exercised": {"server": missing}}
        report["coverage"] = {"signalwire": {"operations": {"POST x": operation}}}
        return report

    merged = reports.merge(
        [covered({"a": 1}, ["b", "c", "+4 more"]), covered({"b": 2}, ["a", "d", "+7 more"])]
    )
    operation = merged["coverage"]["signalwire"]["operations"]["POST x"]
    assert operation == {
        "served": {"a": 1, "b": 2},
        "not_exercised": {"server": ["c", "d", "+7 more"]},
    }


def test_write_picks_the_format_by_suffix(tmp_path: Path) -> None:
    reports.write(fake_report("ok"), tmp_path / "deep" / "r.json")
    assert json.loads((tmp_path / "deep" / "r.json").read_text()) == fake_report("ok")
    assert [reports.format_for(Path(n)) for n in ("a.md", "b.HTML", "c.txt")] == [
        "markdown",
        "html",
        "text",
    ]
    with pytest.raises(ValueError, match="unknown report format"):
        reports.format_for(Path("r.pdf"))
