"""The objects a running server shares between handlers, behind one typed AppKey."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from aiohttp import web

from mockserver.callbacks.egress import EgressPolicy
from mockserver.callbacks.sender import CallbackSender
from mockserver.catalog import Catalog, load_catalog
from mockserver.journal.batch import RecordBatch
from mockserver.journal.recorder import JournalRecorder, journal_callback
from mockserver.request.pipeline import Pipeline, Recorder
from mockserver.scenarios import load_files
from mockserver.scenarios.engine import DEFAULTS_GROUP, Engine
from mockserver.scenarios.planner import ScenarioPlanner
from mockserver.scenarios.watch import ScenarioFiles
from mockserver.settings import Settings
from mockserver.store.memory import InMemoryStore
from mockserver.store.resources import ResourceStore, TokenRegistry
from mockserver.telemetry.logs import AccessLogRecorder
from mockserver.telemetry.metrics import MetricsRecorder
from mockserver.vendors import VENDORS, Vendor
from mockserver.vendors.kit.call import Env
from mockserver.vendors.kit.ids import Ids

if TYPE_CHECKING:
    from mockserver.store.shared.state import SharedState


@dataclass
class Services:
    """Everything a request handler needs, created once per server.

    Only `store` (rules, counters, windows, journal) and `env` (resources, tokens,
    callbacks) hold mutable state; everything else is configuration or derived.
    """

    settings: Settings
    catalog: Catalog
    engine: Engine
    store: InMemoryStore
    env: Env
    pipeline: Pipeline
    # the one metrics recorder, fed through the pipeline's record batch, read by scrapes
    metrics: MetricsRecorder
    vendors: dict[str, Vendor] = field(default_factory=lambda: dict(VENDORS))
    started: float = field(default_factory=time.time)
    files: ScenarioFiles | None = None
    # (file, rules) of the shipped default scenarios loaded at start
    defaults: list[tuple[str, int]] = field(default_factory=list)
    # the Redis-backed state replicas share (--store redis://...); None: this process only
    shared: SharedState | None = None

    @property
    def load_errors(self) -> list[str]:
        """Problems of the last failed scenario-file reload (visible in the admin API)."""
        return self.files.errors if self.files else []

    def reset(self, session: str | None = None) -> None:
        """Forget one session (its rules, counters, journal, resources, tokens), or all."""
        self.reset_here(session)
        if self.shared is not None:
            self.shared.replica.publish("reset", {"session": session})

    def reset_here(self, session: str | None = None) -> None:
        """`reset` on this replica only (another replica's reset, applied here)."""
        self.engine.reset(session)
        self.env.resources.reset(session)
        self.env.tokens.reset(session)
        self.env.callbacks.reset(session)
        self.env.ids.reset(session)


SERVICES = web.AppKey("services", Services)


def _recorders(settings: Settings, batch: RecordBatch) -> tuple[Recorder, ...]:
    # an access line costs ~10 us and floods CI logs, so it is asked for, not default; it is
    # written at once (not batched): someone is watching the log as requests come in
    return (batch, AccessLogRecorder()) if settings.access_log else (batch,)


# the shared store's modules (and the Redis client) are imported only when one is asked
# for: an in-memory server does not pay their ~50 ms of start-up and ~6 MB


def _shared(settings: Settings) -> SharedState | None:
    if settings.store == "memory":
        return None
    from mockserver.store.shared.state import SharedState

    return SharedState(settings.store, settings.session_ttl, settings.journal_size)


def _store(
    settings: Settings, settle: Callable[[], None], shared: SharedState | None
) -> InMemoryStore:
    limits = {
        "journal_limit": settings.journal_size,
        "journal_bytes": settings.journal_bytes,
        "session_ttl": settings.session_ttl,
        "session_cap": settings.session_cap,
    }
    if shared is None:
        return InMemoryStore(**limits, settle=settle)  # type: ignore[arg-type]
    from mockserver.store.shared.stores import SharedStore

    store = SharedStore(**limits, settle=settle)  # type: ignore[arg-type]
    store.attach(shared.replica)
    return store


def _env(settings: Settings, store: InMemoryStore, shared: SharedState | None) -> Env:
    callbacks = CallbackSender(
        settings.callback_log_size,
        policy=EgressPolicy(settings.callback_allow),
        on_attempt=partial(journal_callback, store),
    )
    if shared is None:
        resources, tokens, salt = ResourceStore(settings.resource_limit), TokenRegistry(), ""
    else:
        from mockserver.store.shared.stores import SharedResources, SharedTokens

        replica = shared.replica
        resources = SharedResources(replica, settings.resource_limit)
        tokens, salt = SharedTokens(replica), replica.id
    return Env(
        settings=settings,
        resources=resources,
        tokens=tokens,
        callbacks=callbacks,
        ids=Ids(settings.seed, salt=salt),
        clock=time.time,
    )


def _pipeline(
    settings: Settings,
    catalog: Catalog,
    planner: ScenarioPlanner,
    recorders: tuple[Recorder, ...],
    env: Env,
    shared: SharedState | None,
) -> Pipeline:
    timeout, max_body = settings.read_timeout, settings.max_body
    if shared is None:
        return Pipeline(catalog, planner, recorders, env, read_timeout=timeout, max_body=max_body)
    from mockserver.request.shared import SharedPipeline

    pipeline = SharedPipeline(catalog, rules=planner, shared=shared, recorders=recorders, env=env)
    pipeline.read_timeout, pipeline.max_body = timeout, max_body
    return pipeline


def _defaults(
    settings: Settings, engine: Engine, catalog: Catalog, vendors: dict[str, Vendor]
) -> list[tuple[str, int]]:
    """Load the shipped magic values (README "Magic values") unless --no-defaults.

    Returns:
        (file, rules) of each file loaded.
    """
    if not settings.defaults:
        return []
    shipped = [v.defaults_file for v in vendors.values() if v.defaults_file.is_file()]
    scenarios, loaded = load_files(shipped, catalog)
    engine.load(scenarios, group=DEFAULTS_GROUP)
    return loaded


def _files(settings: Settings, engine: Engine, catalog: Catalog) -> ScenarioFiles | None:
    """The --scenarios files, loaded; a broken one at start-up is fatal: fail loudly, not later."""
    if not settings.scenarios:
        return None
    files = ScenarioFiles(settings.scenarios, engine, catalog, settings.max_scenario_bytes)
    files.load()
    return files


def build_services(settings: Settings, catalog: Catalog | None = None) -> Services:
    """Load the catalog (unless given) and wire engine, journal and pipeline."""
    catalog = catalog or load_catalog(settings.catalog_dir, tuple(VENDORS))

    # the store and the metrics land the batch before they are read, and the batch lands in
    # them: the loop is closed by name, so each is given its `settle` when it is made
    def settle() -> None:
        batch.flush()

    shared = _shared(settings)
    store = _store(settings, settle, shared)
    env = _env(settings, store, shared)
    metrics = MetricsRecorder(store, env, settle)
    batch = RecordBatch((JournalRecorder(store), metrics))
    # replicas compare `active` windows and rate-limit times: wall-clock, not monotonic
    clock = time.monotonic if shared is None else time.time
    engine = Engine(store, seed=settings.seed, catalog=catalog, clock=clock)
    vendors = dict(VENDORS)
    planner = ScenarioPlanner(engine, catalog, vendors)
    pipeline = _pipeline(settings, catalog, planner, _recorders(settings, batch), env, shared)
    if settings.proxy:
        from mockserver.request.proxy import (
            Upstreams,
        )  # only a --proxy server loads the client side

        pipeline.upstreams = Upstreams(settings.proxy, settings.proxy_timeout, settings.record)
    defaults = _defaults(settings, engine, catalog, vendors)
    files = _files(settings, engine, catalog)
    services = Services(
        settings,
        catalog,
        engine,
        store,
        env,
        pipeline,
        metrics,
        vendors,
        files=files,
        defaults=defaults,
        shared=shared,
    )
    if shared is not None:
        shared.settle = settle
        shared.replica.handlers["reset"] = lambda change: services.reset_here(change["session"])
        shared.replica.on_lost = services.reset_here
    return services
