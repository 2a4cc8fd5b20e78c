"""RingCentral: REST, OAuth and gateway envelopes, rate-limit headers and webhook events."""

from mockserver.vendors.ringcentral.envelope import RingCentral

VENDOR = RingCentral()

__all__ = ["VENDOR", "RingCentral"]
