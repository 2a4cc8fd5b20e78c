"""Requests and scenarios the console tests share (over HTTP and in the browser)."""

from __future__ import annotations

SMS = "/ringcentral/restapi/v1.0/account/~/extension/~/sms"
# a scenario naming a code RingCentral does not have: the editor must show its line error
BROKEN = """\
name: broken
vendor: ringcentral
rules:
  - match: {method: POST, path: /restapi/v1.0/account/~/extension/~/sms}
    error: {code: CMN-9999}
"""
