"""Admin handler for GET /__admin/metrics: this server's Prometheus metrics in text format."""

from __future__ import annotations

from aiohttp import web

from mockserver.admin.common import services_of
from mockserver.telemetry.metrics import CONTENT_TYPE


async def metrics(request: web.Request) -> web.Response:
    """Every metric, in the Prometheus text exposition format."""
    # imported here: prometheus_client costs ~1 MB and 16 ms of start-up most runs never need
    from mockserver.telemetry.exposition import page

    body = page(services_of(request).metrics)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})
