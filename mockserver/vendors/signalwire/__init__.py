"""SignalWire: compat (Twilio-style), REST/Fabric and Relay REST envelopes."""

from mockserver.vendors.signalwire.envelope import SignalWire

VENDOR = SignalWire()

__all__ = ["VENDOR", "SignalWire"]
