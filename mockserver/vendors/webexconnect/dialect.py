"""Webex Connect's shape of generic answers: plain JSON, 7003/7004 validation, 7600 not found."""

from __future__ import annotations

from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.operations.dialect import TableDialect
from mockserver.vendors.kit.call import Call
from mockserver.vendors.webexconnect.wire import json_answer


class WebexConnect(TableDialect):
    """The messaging APIs (spec/messaging.yaml); no list operation is documented."""

    param = "param"

    def answer(self, call: Call, status: int, body: Any) -> Rendered:
        """Compact JSON."""
        return json_answer(body, status)


DIALECTS = {"webexconnect": WebexConnect()}
