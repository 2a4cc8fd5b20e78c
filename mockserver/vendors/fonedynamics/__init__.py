"""Fone Dynamics REST API v2: ServiceStack `ResponseStatus` envelope and message resources."""

from mockserver.vendors.fonedynamics.envelope import FoneDynamics

VENDOR = FoneDynamics()

__all__ = ["VENDOR", "FoneDynamics"]
