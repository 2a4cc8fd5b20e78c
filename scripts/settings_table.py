"""Write the table of settings in docs/operations.md from mockserver/settings.py.

python scripts/settings_table.py          # rewrite the table in place
python scripts/settings_table.py --check  # exit 1 when the docs differ (the tests check too)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mockserver.settings import Option, options

DOC = Path(__file__).resolve().parents[1] / "docs" / "operations.md"
BEGIN = "<!-- settings table: written by scripts/settings_table.py from mockserver/settings.py -->"
END = "<!-- end of settings table -->"


def flags(option: Option) -> str:
    """How the command line spells the option, e.g. `--port PORT`, `--defaults`, `--no-defaults`."""
    if option.kind == "switch":
        no = "--no-" + option.flag.removeprefix("--")
        return f"`{option.flag}`, `{no}`"
    metavar = option.metavar or (
        "{" + ",".join(option.choices) + "}" if option.choices else option.name.upper()
    )
    many = " ..." if option.kind in ("list", "map") else ""
    spelled = f"`{option.flag} {metavar}{many}`"
    return spelled + (f", `{option.off}`" if option.off else "")


def row(option: Option) -> str:
    default = f"`{option.shown_default}`" if option.shown_default else ""
    syntax = f" Variable: {option.syntax}." if option.kind in ("list", "map") else ""
    meaning = option.help[:1].upper() + option.help[1:].replace("|", "\\|") + "." + syntax
    return f"| {flags(option)} | `{option.env}` | {default} | {meaning} |"


def table() -> str:
    """The Markdown table, one row per setting in declaration order, between its markers."""
    lines = [
        BEGIN,
        "| Flag | Variable | Default | Meaning |",
        "|---|---|---|---|",
        *(row(option) for option in options().values()),
        END,
    ]
    return "\n".join(lines)


def rewritten(text: str) -> str:
    """The document with its table replaced by the current one."""
    head, sep, rest = text.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise SystemExit(f"{DOC}: no settings table markers")
    return head + table() + tail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the docs differ")
    args = parser.parse_args()
    text = DOC.read_text(encoding="utf-8")
    new = rewritten(text)
    if args.check:
        if new != text:
            print(f"{DOC} is out of date: run python scripts/settings_table.py", file=sys.stderr)
        return int(new != text)
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
