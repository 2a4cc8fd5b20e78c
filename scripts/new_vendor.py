"""Scaffold a vendor: its folder in the fixed shape, a seed table, its catalog, docs, a scenario."""

from __future__ import annotations

import argparse
import importlib.util
import re
import string
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = Path(__file__).resolve().parent / "vendor_template"
NAME = re.compile(r"[a-z][a-z0-9]{1,30}")
# template -> where it goes, relative to the repository root
LAYOUT = {
    "__init__.py": "mockserver/vendors/{name}/__init__.py",
    "envelope.py": "mockserver/vendors/{name}/envelope.py",
    "auth.py": "mockserver/vendors/{name}/auth.py",
    "routes.py": "mockserver/vendors/{name}/routes.py",
    "callbacks.py": "mockserver/vendors/{name}/callbacks.py",
    "wire.py": "mockserver/vendors/{name}/wire.py",
    "messages.py": "mockserver/vendors/{name}/messages.py",
    "policy.py": "mockserver/vendors/{name}/policy.py",
    "defaults.yaml": "mockserver/vendors/{name}/defaults.yaml",
    "seed.txt": "catalog/seeds/{name}.txt",
    "scenario.yaml": "scenarios/{name}/rate-limited-then-recovers.yaml",
    "doc.md": "docs/vendors/{name}.md",
}


def next_order(root: Path) -> int:
    """One past the largest `order` a vendor folder declares."""
    found = [
        int(m.group(1))
        for path in (root / "mockserver" / "vendors").glob("*/*.py")
        for m in re.finditer(r"^    order = (\d+)$", path.read_text(encoding="utf-8"), re.M)
    ]
    return max(found, default=0) + 1


def class_name(name: str, title: str) -> str:
    """`Acme Voice` -> `AcmeVoice`; falls back to the capitalised folder name."""
    words = re.findall(r"[A-Za-z0-9]+", title)
    made = "".join(w[:1].upper() + w[1:] for w in words)
    return made if made.isidentifier() and not made[0].isdigit() else name.capitalize()


def scaffold(root: Path, name: str, title: str) -> list[Path]:
    """Write every file of the new vendor; refuse to overwrite anything."""
    values = {"name": name, "title": title, "cls": class_name(name, title)}
    values["order"] = str(next_order(root))
    targets = {t: root / dest.format(name=name) for t, dest in LAYOUT.items()}
    clashing = [str(p.relative_to(root)) for p in targets.values() if p.exists()]
    if clashing:
        raise SystemExit(f"new-vendor: {name!r} exists already ({', '.join(clashing)})")
    for template, target in targets.items():
        text = (TEMPLATES / f"{template}.tmpl").read_text(encoding="utf-8")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(string.Template(text).safe_substitute(values), encoding="utf-8")
    return list(targets.values())


def build_catalog(root: Path, name: str) -> Path:
    """`catalog/<name>.yaml` from the seed, as `make catalog` would."""
    sys.path[:0] = [str(root), str(root / "scripts")]
    import build_catalog as builder

    seed = (root / "catalog" / "seeds" / f"{name}.txt").read_text(encoding="utf-8")
    target = root / "catalog" / f"{name}.yaml"
    target.write_text(builder.render(name, seed), encoding="utf-8", newline="\n")
    return target


def tidy(paths: list[Path]) -> None:
    """Sort imports and format with ruff when it is installed (the order depends on NAME)."""
    if importlib.util.find_spec("ruff") is None:
        return
    for command in (["check", "--fix", "--quiet", "--select", "I"], ["format", "--quiet"]):
        subprocess.run([sys.executable, "-m", "ruff", *command, *map(str, paths)], check=False)


def main(argv: list[str] | None = None) -> int:
    """`new_vendor.py NAME [--title TITLE] [--root DIR]`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", help="folder, URL prefix and catalog name (lowercase, digits)")
    parser.add_argument("--title", help="display name (default: the name, capitalised)")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root to write into")
    args = parser.parse_args(argv)
    if not NAME.fullmatch(args.name) or args.name == "kit":
        parser.error(f"NAME must be 2-31 lowercase letters or digits, not {args.name!r}")
    written = scaffold(args.root, args.name, args.title or args.name.capitalize())
    written.append(build_catalog(args.root, args.name))
    tidy([p for p in written if p.suffix == ".py"])
    for path in written:
        print(f"wrote {path.relative_to(args.root)}")
    print("next: edit the seed and policy, `make catalog`, `make test` (docs/adding-a-vendor.md)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
