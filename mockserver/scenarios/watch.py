"""Scenario files given with --scenarios: loaded at start, polled, reloaded atomically."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from mockserver.catalog.model import Catalog
from mockserver.scenarios import Scenario, ScenarioError, load_files
from mockserver.scenarios.engine import FILES_GROUP, Engine

log = logging.getLogger("mockserver.scenarios")
GROUP = FILES_GROUP
SUFFIXES = (".yaml", ".yml", ".json")


Fingerprint = tuple[tuple[str, str], ...]
Loaded = tuple[list[Scenario], list[tuple[str, int]]]
"""The scenarios read, and (file, rule count) of every file."""


@dataclass(frozen=True)
class _Attempt:
    """What reading the files found: nothing new, new scenarios, or problems."""

    seen: Fingerprint | None = None
    loaded: Loaded | None = None
    problems: list[str] = field(default_factory=list)


class ScenarioFiles:
    """Keeps the engine's "files" group equal to what the files say, or to the last good load.

    Files are read, parsed and validated off the event loop; only the swap of the rules
    happens on it, at once.

    Attributes:
        errors: problems of the last failed load (empty after a good one); shown by the
            admin API so a broken file is visible, not just logged.
    """

    def __init__(
        self,
        paths: tuple[Path, ...],
        engine: Engine,
        catalog: Catalog,
        max_bytes: int | None = None,
    ) -> None:
        self.paths = paths
        self.engine = engine
        self.catalog = catalog
        self.max_bytes = max_bytes
        self.errors: list[str] = []
        # (file, rules) of the last good load, for the banner
        self.counts: list[tuple[str, int]] = []
        self._seen: Fingerprint = ()

    def fingerprint(self) -> Fingerprint:
        """(file, hash of its bytes) of every scenario file; a change means reload.

        By content, not (mtime, size): `cp -p` and `rsync -t` keep the mtime, and an edit
        that keeps the size would otherwise never load.
        """
        found = []
        for path in self.paths:
            files = sorted(path.rglob("*")) if path.is_dir() else [path]
            for item in files:
                if item.suffix in SUFFIXES and item.is_file():
                    digest = hashlib.blake2b(item.read_bytes(), digest_size=16).hexdigest()
                    found.append((str(item), digest))
        return tuple(found)

    def load(self) -> list[str]:
        """Load every file into the group at once.

        Raises:
            ScenarioError: any file is broken; the loaded rules are unchanged.
        """
        self._seen = self.fingerprint()
        return self._swap(self._read())

    def reload_if_changed(self) -> bool:
        """Reload when a file changed; a broken file keeps the previous rules serving."""
        return self._settle(self._attempt())

    async def reload_off_loop(self) -> bool:
        """reload_if_changed, with reading, parsing and validating in a worker thread."""
        return self._settle(await asyncio.to_thread(self._attempt))

    async def watch(self, interval: float) -> None:
        """Poll for changes until cancelled."""
        while True:
            await asyncio.sleep(interval)
            await self.reload_off_loop()

    def _read(self) -> Loaded:
        for path in self.paths:
            if not path.exists():
                raise ScenarioError([f"{path}: no such file or folder"])
        return load_files(self.paths, self.catalog, self.max_bytes)

    def _attempt(self) -> _Attempt:
        # touches no engine state, so it may run in a worker thread
        try:
            seen = self.fingerprint()
        except OSError as err:
            return _Attempt(problems=[f"cannot read scenario files: {err}"])
        if seen == self._seen:
            return _Attempt()
        try:
            return _Attempt(seen, loaded=self._read())
        except ScenarioError as err:
            return _Attempt(seen, problems=list(err.problems))
        except OSError as err:
            return _Attempt(seen, problems=[f"cannot read scenario files: {err}"])

    def _settle(self, attempt: _Attempt) -> bool:
        if attempt.seen is not None:
            self._seen = attempt.seen  # a broken edit is reported once, not every poll
        if attempt.problems:
            self.errors = attempt.problems
            log.error(
                "scenario files rejected, previous rules stay active:\n%s",
                "\n".join(attempt.problems),
            )
            return False
        if attempt.loaded is None:
            return False
        names = self._swap(attempt.loaded)
        log.info("scenario files reloaded: %s", ", ".join(names) or "(none)")
        return True

    def _swap(self, loaded: Loaded) -> list[str]:
        scenarios, counts = loaded
        names = self.engine.sync(scenarios, GROUP)
        self.errors, self.counts = [], counts
        return names
