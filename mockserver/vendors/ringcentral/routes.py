"""RingCentral's happy-path route table (paths relative to the `/ringcentral` mount)."""

from __future__ import annotations

import mockserver.vendors.ringcentral.account as account
import mockserver.vendors.ringcentral.auth as auth
import mockserver.vendors.ringcentral.messages as messages
import mockserver.vendors.ringcentral.subscriptions as subscriptions
import mockserver.vendors.ringcentral.voice as voice
from mockserver.vendors.kit.routing import Router, route

# `~` is "the caller's own account/extension"; numeric ids are accepted as well
_EXT = r"/restapi/v1\.0/account/(?P<accountId>~|[0-9]+)/extension/(?P<extensionId>~|[0-9]+)"
_SUB = r"/restapi/v1\.0/subscription"

ROUTER = Router(
    [
        route("POST", r"/restapi/oauth/token", auth.token),
        route("POST", r"/restapi/oauth/revoke", auth.revoke),
        route("GET", _EXT, account.extension_info),
        route("GET", _EXT + r"/phone-number", account.phone_numbers),
        route("POST", _EXT + r"/sms", messages.send_sms),
        route("GET", _EXT + r"/message-store", messages.list_messages),
        route("GET", _EXT + r"/message-store/(?P<messageId>[^/]+)", messages.get_message),
        route("POST", _EXT + r"/ring-out", voice.create_ring_out),
        route("GET", _EXT + r"/ring-out/(?P<ringoutId>[^/]+)", voice.get_ring_out),
        route("GET", _EXT + r"/call-log", voice.call_log),
        route("POST", _SUB, subscriptions.create),
        route("GET", _SUB, subscriptions.listing),
        route("GET", _SUB + r"/(?P<subscriptionId>[^/]+)", subscriptions.fetch),
        route("PUT", _SUB + r"/(?P<subscriptionId>[^/]+)", subscriptions.update),
        route("DELETE", _SUB + r"/(?P<subscriptionId>[^/]+)", subscriptions.delete),
        route("POST", _SUB + r"/(?P<subscriptionId>[^/]+)/renew", subscriptions.renew),
        route("PUT", _SUB + r"/(?P<subscriptionId>[^/]+)/renew", subscriptions.renew),
    ]
)
