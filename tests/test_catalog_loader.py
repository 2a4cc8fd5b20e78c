"""Catalog loading: schema errors name file, entry and field; the parse cache is invisible."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from mockserver.catalog import CatalogError, load_catalog, load_vendor_file
from mockserver.catalog.loader import default_catalog_dir


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("MOCKSERVER_NO_CACHE", raising=False)
    return tmp_path / "cache" / "mockserver"


def _copy(tmp_path: Path, vendor: str) -> Path:
    target = tmp_path / f"{vendor}.yaml"
    shutil.copy(default_catalog_dir() / f"{vendor}.yaml", target)
    return target


def _break(path: Path, index: int, field: str, value: object) -> None:
    data = yaml.safe_load(path.read_text())
    data["entries"][index][field] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_bad_field_names_file_entry_and_field(tmp_path: Path, cache_home: Path) -> None:
    path = _copy(tmp_path, "yeastar")
    _break(path, 3, "http_status", "two hundred")
    with pytest.raises(CatalogError) as info:
        load_vendor_file(path)
    message = str(info.value)
    assert str(path) in message
    assert "entry #3 (key '1')" in message
    assert "field http_status" in message


def test_unknown_tag_and_placeholder_mismatch_are_named(tmp_path: Path, cache_home: Path) -> None:
    path = _copy(tmp_path, "ringcentral")
    _break(path, 0, "tags", ["nonsense"])
    with pytest.raises(CatalogError, match="unknown tags"):
        load_vendor_file(path)
    path = _copy(tmp_path, "ringcentral")
    _break(path, 5, "params", ["other"])
    with pytest.raises(CatalogError, match="do not match placeholders"):
        load_vendor_file(path)


def test_not_yaml_and_missing_file(tmp_path: Path, cache_home: Path) -> None:
    bad = tmp_path / "yeastar.yaml"
    bad.write_text("entries: [unclosed\n")
    with pytest.raises(CatalogError, match="not valid YAML"):
        load_vendor_file(bad)
    with pytest.raises(CatalogError, match="cannot read"):
        load_vendor_file(tmp_path / "nope.yaml")


def test_vendor_field_must_match_file_name(tmp_path: Path, cache_home: Path) -> None:
    target = tmp_path / "yeastar2.yaml"
    shutil.copy(default_catalog_dir() / "yeastar.yaml", target)
    with pytest.raises(CatalogError, match="expected 'yeastar2'"):
        load_vendor_file(target)


def test_cache_is_used_and_invalidated_by_content(tmp_path: Path, cache_home: Path) -> None:
    path = _copy(tmp_path, "fonedynamics")
    first = load_vendor_file(path)
    cached = list(cache_home.glob("catalog-*.json"))
    assert len(cached) == 1
    assert load_vendor_file(path) == first
    text = path.read_text().replace("A matching account could not be found.", "changed")
    path.write_text(text)
    changed = load_vendor_file(path)
    assert changed.get("ACCOUNT_NOT_FOUND").message == "changed"  # type: ignore[union-attr]
    assert len(list(cache_home.glob("catalog-*.json"))) == 2


def test_corrupt_cache_is_a_miss(tmp_path: Path, cache_home: Path) -> None:
    path = _copy(tmp_path, "fonedynamics")
    load_vendor_file(path)
    for item in cache_home.glob("catalog-*.json"):
        item.write_text("{not json")
    assert len(load_vendor_file(path)) == 53


def test_whole_catalog_counts(cache_home: Path) -> None:
    catalog = load_catalog()
    counts = {name: len(v) for name, v in catalog.vendors.items()}
    assert counts == {
        "ringcentral": 110,
        "yeastar": 61,
        "signalwire": 1051,
        "fonedynamics": 53,
        "webexconnect": 270,
    }
