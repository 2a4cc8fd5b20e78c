"""Scenario files given with --scenarios: loaded at start, polled, reloaded atomically."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from pathlib import Path

from mockserver.catalog.model import Catalog
from mockserver.engine import Engine
from mockserver.scenarios import ScenarioError, load_path

log = logging.getLogger("mockserver.scenarios")
GROUP = "files"
SUFFIXES = (".yaml", ".yml", ".json")


class ScenarioFiles:
    """Keeps the engine's "files" group equal to what the files say, or to the last good load.

    Attributes:
        errors: problems of the last failed load (empty after a good one); shown by the
            admin API so a broken file is visible, not just logged.
    """

    def __init__(self, paths: tuple[Path, ...], engine: Engine, catalog: Catalog) -> None:
        self.paths = paths
        self.engine = engine
        self.catalog = catalog
        self.errors: list[str] = []
        self._seen: tuple[tuple[str, str], ...] = ()

    def fingerprint(self) -> tuple[tuple[str, str], ...]:
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
        for path in self.paths:
            if not path.exists():
                raise ScenarioError([f"{path}: no such file or folder"])
        self._seen = self.fingerprint()
        scenarios = [s for path in self.paths for s in load_path(path, self.catalog)]
        names = self.engine.sync(scenarios, GROUP)
        self.errors = []
        return names

    def reload_if_changed(self) -> bool:
        """Reload when a file changed; a broken file keeps the previous rules serving."""
        try:
            if self.fingerprint() == self._seen:
                return False
            names = self.load()
        except ScenarioError as err:
            self.errors = list(err.problems)
            log.error("scenario files rejected, previous rules stay active:\n%s", err)
            return False
        except OSError as err:
            self.errors = [f"cannot read scenario files: {err}"]
            log.error("%s", self.errors[0])
            return False
        log.info("scenario files reloaded: %s", ", ".join(names) or "(none)")
        return True

    async def watch(self, interval: float) -> None:
        """Poll for changes until cancelled."""
        while True:
            await asyncio.sleep(interval)
            self.reload_if_changed()
