"""Webex Connect happy-path route table: legacy `/resources/*` and the newer `/v1/sms`."""

from __future__ import annotations

# module imports, not `from <package> import`: the package's __init__ imports this table
import mockserver.vendors.webexconnect.events as events
import mockserver.vendors.webexconnect.messaging as messaging
import mockserver.vendors.webexconnect.profiles as profiles
import mockserver.vendors.webexconnect.sms as sms
from mockserver.vendors.kit.routing import Router, route

ROUTER = Router(
    [
        route("POST", r"/resources/v1/messaging", messaging.send),
        route("POST", r"/resources/v1/events/externalevent", events.external_event),
        route("POST", r"/resources/v2/customerprofile", profiles.create),
        route("GET", r"/resources/v2/customerprofile/(?P<customer>[^/]+)", profiles.fetch),
        route("POST", r"/v1/sms/messages", sms.send),
        route("GET", r"/v1/sms/messages/(?P<message>[^/]+)", sms.get),
    ]
)
