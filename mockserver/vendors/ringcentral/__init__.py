"""RingCentral: REST, OAuth and gateway envelopes, rate-limit headers and webhook events."""

from mockserver.vendors.ringcentral.envelope import RingCentral

__all__ = ["RingCentral"]
