"""Load and validate `catalog/<vendor>.yaml` files; errors name the file, entry and field."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

import mockserver.catalog.cache as cache
from mockserver.catalog.model import Catalog, VendorCatalog, VendorFile

# libyaml is several times faster; the pure-Python loader is the fallback
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

class CatalogError(ValueError):
    """A catalog file that cannot be used; the message names file, entry and field."""


def default_catalog_dir() -> Path:
    """The shipped catalog: inside the installed package, or the repository's `catalog/`."""
    packaged = Path(__file__).resolve().parent.parent / "_data" / "catalog"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "catalog"


def _describe(raw: Any, exc: ValidationError, path: Path) -> str:
    lines = [f"{path}: invalid catalog file"]
    for err in exc.errors():
        loc = list(err["loc"])
        where = ".".join(str(p) for p in loc)
        if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
            entry = _entry_label(raw, loc[1])
            field = ".".join(str(p) for p in loc[2:]) or "(entry)"
            where = f"entry {entry}, field {field}"
        lines.append(f"  {where}: {err['msg']}")
    return "\n".join(lines)


def _entry_label(raw: Any, index: int) -> str:
    try:
        item = raw["entries"][index]
        return f"#{index} (key {item.get('key') or item.get('code')!r})"
    except (KeyError, IndexError, TypeError, AttributeError):
        return f"#{index}"


def _parse_yaml(path: Path, text: bytes) -> Any:
    try:
        return yaml.load(text.decode("utf-8"), Loader=_Loader)
    except UnicodeDecodeError as err:
        raise CatalogError(f"{path}: not UTF-8 text: {err}") from err
    except yaml.YAMLError as err:
        raise CatalogError(f"{path}: not valid YAML: {err}") from err


def load_vendor_file(path: Path) -> VendorCatalog:
    """Parse and validate one vendor file.

    Raises:
        CatalogError: the file is missing, is not YAML, or breaks the schema.
    """
    try:
        text = path.read_bytes()
    except OSError as err:
        raise CatalogError(f"{path}: cannot read catalog file: {err}") from err
    raw = cache.read(text)
    if raw is None:
        raw = _parse_yaml(path, text)
        cache.write(text, raw)
    try:
        data = VendorFile.model_validate(raw)
    except ValidationError as err:
        raise CatalogError(_describe(raw, err, path)) from err
    if data.vendor != path.stem:
        raise CatalogError(f"{path}: field vendor is {data.vendor!r}, expected {path.stem!r}")
    return VendorCatalog.from_file(data)


def load_catalog(directory: Path | None = None, names: Sequence[str] | None = None) -> Catalog:
    """Load the files of `names` (default: every `<vendor>.yaml`) from `directory`.

    The catalog knows no vendor list: the server passes the registry's names, in its order,
    so a missing file is an error naming it.
    """
    directory = directory or default_catalog_dir()
    if names is None:
        names = sorted(path.stem for path in directory.glob("*.yaml"))
    vendors = {name: load_vendor_file(directory / f"{name}.yaml") for name in names}
    return Catalog(vendors)
