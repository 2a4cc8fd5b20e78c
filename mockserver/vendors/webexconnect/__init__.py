"""Webex Connect: legacy v1 `response[]` and newer v2 `{code, message}` envelopes."""

from mockserver.vendors.webexconnect.envelope import WebexConnect

VENDOR = WebexConnect()

__all__ = ["VENDOR", "WebexConnect"]
