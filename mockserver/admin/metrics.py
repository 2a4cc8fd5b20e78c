"""Admin handler for GET /__admin/metrics: this server's Prometheus metrics in text format."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from aiohttp import web

from mockserver.admin.common import services_of
from mockserver.journal.batch import RecordBatch
from mockserver.request.pipeline import Recorder
from mockserver.server.services import Services
from mockserver.telemetry.metrics import CONTENT_TYPE, MetricsRecorder


def metrics_recorder(services: Services) -> MetricsRecorder:
    """The pipeline's metrics recorder; one is added when the services were built without it.

    Adding it here keeps /__admin/metrics working for every way of building services (the
    CLI, ServerThread, tests); once `build_services` wires one, this only finds it.
    """
    pipeline = services.pipeline
    for recorder in every_recorder(pipeline.recorders):
        if isinstance(recorder, MetricsRecorder):
            return recorder
    added = MetricsRecorder(services.store, services.env)
    pipeline.recorders = (*pipeline.recorders, added)
    return added


def every_recorder(recorders: Iterable[Recorder]) -> Iterator[Recorder]:
    """The recorders, and those inside batches."""
    for recorder in recorders:
        yield recorder
        if isinstance(recorder, RecordBatch):
            yield from every_recorder(recorder.recorders)


async def metrics(request: web.Request) -> web.Response:
    """Every metric, in the Prometheus text exposition format."""
    # imported here: prometheus_client costs ~1 MB and 16 ms of start-up most runs never need
    from mockserver.telemetry.exposition import page

    body = page(metrics_recorder(services_of(request)))
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})
