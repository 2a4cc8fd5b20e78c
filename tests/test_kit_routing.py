"""A vendor router memoises its answers per (method, path) without sharing mutable state."""

from __future__ import annotations

import re

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.kit.routing import Router, route


def handler(call: Call) -> Rendered:
    return Rendered(200, b"", "text/plain")


class Counting:
    """A compiled pattern that counts its fullmatch calls."""

    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern)
        self.calls = 0

    def fullmatch(self, path: str) -> re.Match[str] | None:
        self.calls += 1
        return self.pattern.fullmatch(path)


def test_a_lookup_is_answered_from_the_memo_and_tests_the_method_first() -> None:
    get, post = route("GET", r"/m/(?P<id>\w+)", handler), route("POST", r"/m/(?P<id>\w+)", handler)
    patterns = [Counting(get.pattern.pattern), Counting(post.pattern.pattern)]
    routes = [
        type(get)(r.method, p, r.handler, r.name)  # type: ignore[arg-type]
        for r, p in zip((get, post), patterns, strict=True)
    ]
    router = Router(routes)
    for _ in range(3):
        found = router.find("POST", "/m/7")
        assert found is not None
        assert found[0] is routes[1]
        assert found[1] == {"id": "7"}
    # one regex run in all: the GET route's regex never ran, the POST one ran once
    assert [p.calls for p in patterns] == [0, 1]
    assert router.find("DELETE", "/m/7") is None
    assert router.find("DELETE", "/m/7") is None
    assert [p.calls for p in patterns] == [0, 1]


def test_path_arguments_are_a_fresh_dict_each_time() -> None:
    router = Router([route("GET", r"/m/(?P<id>\w+)(?P<ext>\.json)?", handler)])
    found = router.find("GET", "/m/7")
    assert found is not None
    assert found[1] == {"id": "7"}
    found[1]["id"] = "changed"
    again = router.find("GET", "/m/7")
    assert again is not None
    assert again[1] == {"id": "7"}
