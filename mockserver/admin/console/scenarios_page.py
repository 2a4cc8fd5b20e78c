"""The scenarios view (loaded rules, live hit counts, an editor) and the editor's validation."""

from __future__ import annotations

import asyncio
from typing import Final

from aiohttp import web

from mockserver.admin.common import AdminInputError, services_of
from mockserver.admin.console.html import e, field, link, page, url
from mockserver.admin.models import Validated
from mockserver.admin.scenarios import parse_upload, scenario_bytes
from mockserver.admin.spec import PREFIX
from mockserver.scenarios import ScenarioError
from mockserver.scenarios.engine import RuleInfo

SOURCE: Final = "editor"  # the file name the editor's problems are reported under
SAMPLE: Final = """\
name: my-first-scenario
vendor: ringcentral
rules:
  - match: {method: POST, path: /restapi/v1.0/account/~/extension/~/sms}
    times: 1
    error: {code: CMN-301, retry_after: 2}
"""


async def validate_scenarios(request: web.Request) -> Validated:
    """Check scenarios as `mockserver validate` does, loading nothing (the editor's check)."""
    services = services_of(request)
    raw = await scenario_bytes(request, services.settings.max_scenario_bytes)
    try:
        found = await asyncio.to_thread(parse_upload, raw, services.catalog, SOURCE)
    except ScenarioError as err:
        return {"valid": False, "scenarios": [], "problems": list(err.problems)}
    except AdminInputError as err:  # not UTF-8
        return {"valid": False, "scenarios": [], "problems": [str(err)]}
    return {"valid": True, "scenarios": [s.name for s in found], "problems": []}


async def scenarios_view(request: web.Request) -> web.Response:
    """The scenarios page: loaded rules with hit counts, file problems, and the editor."""
    services = services_of(request)
    session = request.query.get("session") or None
    rules = services.engine.rules(session)
    errors = "".join(f"<li>{e(p)}</li>" for p in services.load_errors)
    source = url(PREFIX + "/scenarios", session=session)
    body = (
        "<h1>Scenarios</h1>\n"
        f'<form class="filters" method="get" action="{link("scenarios")}" aria-label="Session">'
        + field("session", "Session", session)
        + '<button type="submit">Show</button></form>\n'
        + (f'<ul class="problems" role="alert">{errors}</ul>\n' if errors else "")
        + _editor(session)
        + f'<section aria-labelledby="loaded-h"><h2 id="loaded-h">Loaded ({len(rules)} rules)</h2>'
        f'<div id="rules" data-source="{e(source)}">{_groups(rules)}</div></section>'
    )
    return page("scenarios", "Scenarios", body)


def _editor(session: str | None) -> str:
    return (
        '<section aria-labelledby="editor-h"><h2 id="editor-h">Editor</h2>'
        f'<form id="editor" data-validate="{PREFIX}/scenarios/validate"'
        f' data-load="{PREFIX}/scenarios">'
        '<label for="f-text">Scenario (YAML or JSON); checked as you type</label>'
        f'<textarea id="f-text" name="text" rows="14" spellcheck="false"'
        f' aria-describedby="problems">{e(SAMPLE)}</textarea>'
        '<div id="problems" role="status" aria-live="polite"></div>'
        + field("load-session", "Load into session (empty: every session)", session, "text")
        + '<label class="check"><input id="f-replace" type="checkbox">'
        " Unload this session's other uploaded scenarios first</label>"
        '<button type="submit">Load</button></form></section>\n'
    )


def _groups(rules: list[RuleInfo]) -> str:
    if not rules:
        return "<p>No rules loaded.</p>"
    grouped: dict[tuple[str, str | None], list[RuleInfo]] = {}
    for rule in rules:
        grouped.setdefault((rule.scenario, rule.session), []).append(rule)
    out = []
    for (scenario, owner), members in grouped.items():
        hits = sum(r.hits for r in members)
        who = f"session {owner}" if owner else "every session"
        out.append(
            f'<details class="scenario"><summary><strong>{e(scenario)}</strong> · {e(who)}'
            f" · {len(members)} rules · {hits} hits</summary>"
            f'<button type="button" class="unload" data-name="{e(scenario)}"'
            f' data-session="{e(owner)}">Unload {e(scenario)}</button>'
            f"{_table(members)}</details>"
        )
    return "".join(out)


def _table(rules: list[RuleInfo]) -> str:
    head = "".join(f'<th scope="col">{h}</th>' for h in ("Rule", "Action", "Priority", "Hits"))
    rows = "".join(
        f"<tr><td>{e(r.rule)}</td><td>{e(r.action)}</td><td>{r.priority}</td>"
        f'<td class="hits" data-key="{e(rule_key(r))}">{r.hits}</td></tr>'
        for r in rules
    )
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'


def rule_key(rule: RuleInfo) -> str:
    """A rule's identity on the page, for the script's live counters."""
    return f"{rule.scenario}\n{rule.rule}\n{rule.session or ''}"
