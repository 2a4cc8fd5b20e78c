"""The one error channel of vendor handlers: raise a rendered vendor error, answered once."""

from __future__ import annotations

from mockserver.answers.rendered import Rendered


class Rejection(Exception):
    """A natural, catalogued error answer raised from anywhere inside a handler or auth check.

    The pipeline catches it around `Vendor.authenticate` and the route handler and answers
    `rendered`; handlers never thread error answers through their return values.
    """

    def __init__(self, rendered: Rendered) -> None:
        super().__init__(rendered.status)
        self.rendered = rendered
