"""Yeastar P-Series Open API: errcode/errmsg envelope and call-status event previews."""

from mockserver.vendors.yeastar.envelope import Yeastar

VENDOR = Yeastar()

__all__ = ["VENDOR", "Yeastar"]
