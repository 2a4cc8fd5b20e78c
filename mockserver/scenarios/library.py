"""The shipped scenario library and JSON Schemas, in the wheel or the checkout: list, copy."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

# the wheel force-includes scenarios/ and schemas/ here (pyproject.toml)
PACKAGED = Path(__file__).resolve().parents[1] / "_data"
CHECKOUT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = "scenario.schema.json"
# the first line of every library file; it points at the schema relative to the file
MODELINE = re.compile(r"# yaml-language-server: \$schema=\S+")


class LibraryError(ValueError):
    """A name the library does not have, or a copy that would overwrite a file."""


@dataclass(frozen=True)
class LibraryScenario:
    """One file of the library: `vendor/situation`, and the header saying what it does."""

    vendor: str
    situation: str
    path: Path

    @property
    def name(self) -> str:
        return f"{self.vendor}/{self.situation}"

    @property
    def summary(self) -> str:
        """The header's first text line: what the file simulates."""
        for line in self.path.read_text(encoding="utf-8").splitlines()[1:]:
            text = line.lstrip("#").strip()
            if text:
                return text
        return ""


def _data_dir(name: str) -> Path:
    """`name` inside the installed package, else the checkout's top-level folder."""
    packaged = PACKAGED / name
    return packaged if packaged.is_dir() else CHECKOUT / name


def library_dir() -> Path:
    """The folder of ready-made scenarios (scenarios/ in the repository)."""
    return _data_dir("scenarios")


def schema_path(name: str = SCHEMA_FILE) -> Path:
    """A shipped JSON Schema file (schemas/ in the repository)."""
    return _data_dir("schemas") / name


def scenarios(vendor: str | None = None) -> list[LibraryScenario]:
    """Every library file, sorted by vendor then situation; only `vendor`'s when given."""
    return [
        LibraryScenario(path.parent.name, path.stem, path)
        for path in sorted(library_dir().glob("*/*.yaml"))
        if vendor is None or path.parent.name == vendor
    ]


def find(name: str) -> list[LibraryScenario]:
    """The files `name` means: `vendor/situation`, `vendor-situation`, or a whole `vendor`."""
    everything = scenarios()
    key = name.removesuffix(".yaml")
    chosen = [s for s in everything if key in (s.name, s.vendor, f"{s.vendor}-{s.situation}")]
    if not chosen:
        known = ", ".join(sorted({s.vendor for s in everything}))
        raise LibraryError(
            f"no library scenario {name!r}: give VENDOR/SITUATION as `mockserver scenarios "
            f"list` prints it, or a vendor ({known})"
        )
    return chosen


def copy(names: list[str], dest: Path, schema: Path, force: bool = False) -> list[Path]:
    """Copy the named files to DEST/<vendor>/<situation>.yaml, and the schema to SCHEMA.

    Each copy's modeline points at SCHEMA relatively, so editor completion works in the new
    place without this repository. SCHEMA must lie outside DEST: a folder of scenarios is
    loaded whole, *.json included. Returns the files written.
    """
    if schema.resolve().is_relative_to(dest.resolve()):
        raise LibraryError(f"{schema} is inside {dest}, where it would load as a scenario")
    chosen = list({s.name: s for name in names for s in find(name)}.values())
    targets = [dest / s.vendor / s.path.name for s in chosen]
    same_schema = schema.is_file() and schema.read_bytes() == schema_path().read_bytes()
    kept = [*targets] if same_schema else [*targets, schema]
    clash = [str(t) for t in kept if t.exists() and not force]
    if clash:
        raise LibraryError(f"would overwrite {', '.join(clash)} (--force to replace)")
    for item, target in zip(chosen, targets, strict=True):
        target.parent.mkdir(parents=True, exist_ok=True)
        relative = Path(os.path.relpath(schema, target.parent)).as_posix()
        modeline = f"# yaml-language-server: $schema={relative}"
        text = item.path.read_text(encoding="utf-8")
        head, found, rest = text.partition("\n")
        if MODELINE.fullmatch(head):
            text = modeline + found + rest
        target.write_text(text, encoding="utf-8")
    if not same_schema:
        schema.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(schema_path(), schema)
    return [*targets, schema]
