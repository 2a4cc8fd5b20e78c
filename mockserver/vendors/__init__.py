"""Registry of emulated vendors, in display order."""

from __future__ import annotations

from mockserver.vendors.base import Vendor
from mockserver.vendors.fonedynamics import FoneDynamics
from mockserver.vendors.ringcentral import RingCentral
from mockserver.vendors.signalwire import SignalWire
from mockserver.vendors.webexconnect import WebexConnect
from mockserver.vendors.yeastar import Yeastar

VENDORS: dict[str, Vendor] = {
    v.name: v for v in (RingCentral(), Yeastar(), SignalWire(), FoneDynamics(), WebexConnect())
}

__all__ = ["VENDORS", "Vendor"]
