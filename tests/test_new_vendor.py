"""`make new-vendor` scaffolds a vendor that registers, serves, validates and passes the checks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the probe runs in the scaffolded tree: a live server, then one request per behaviour
PROBE = """
import json, urllib.error, urllib.request
from mockserver.settings import Settings
from mockserver.testing.thread import ServerThread
from mockserver.vendors import VENDORS

server = ServerThread(Settings(port=0)).start()
base = server.url + "/acme"

def call(method, path, body=None, **headers):
    data = json.dumps(body).encode() if body is not None else None
    headers = {k.replace("_", "-"): v for k, v in headers.items()}
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as answer:
            return [answer.status, json.loads(answer.read() or b"null"), dict(answer.headers)]
    except urllib.error.HTTPError as err:
        return [err.code, json.loads(err.read() or b"null"), dict(err.headers)]

auth = {"Authorization": "Bearer s1", "Content_Type": "application/json"}
made = call("POST", "/v1/messages", {"to": "+15550001", "text": "hi"}, **auth)
print(json.dumps({
    "vendors": list(VENDORS),
    "create": made,
    "fetch": call("GET", "/v1/messages/" + made[1]["id"], **auth),
    "other_session": call("GET", "/v1/messages/" + made[1]["id"], Authorization="Bearer s2"),
    "no_auth": call("GET", "/v1/messages/x"),
    "missing": call("POST", "/v1/messages", {"to": "+1555"}, **auth),
    "malformed": call("POST", "/v1/messages", None, **auth),
    "unknown": call("GET", "/nope", **auth),
    "injected": call("GET", "/v1/messages/x", X_Mock_Error="RATE_LIMITED", **auth),
    "magic": call("POST", "/v1/messages", {"to": "+15005550009", "text": "x"}, **auth),
}))
server.stop()
"""


def run(tree: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, *args], cwd=tree, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with `acme` scaffolded into it."""
    root = tmp_path_factory.mktemp("project")
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("mockserver", "catalog", "scripts", "schemas"):
        shutil.copytree(ROOT / name, root / name, ignore=skip)
    (root / "tests").mkdir()
    shutil.copy(ROOT / "tests" / "test_architecture.py", root / "tests")
    shutil.copy(ROOT / "pyproject.toml", root)
    done = run(root, "scripts/new_vendor.py", "acme", "--title", "Acme Messaging")
    assert done.returncode == 0, done.stderr
    assert "wrote mockserver/vendors/acme/__init__.py" in done.stdout
    return root


def test_the_scaffold_writes_the_skeleton_seed_catalog_docs_and_a_scenario(tree: Path) -> None:
    folder = tree / "mockserver" / "vendors" / "acme"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [
            *("__init__.py", "auth.py", "callbacks.py", "defaults.yaml", "envelope.py"),
            *("messages.py", "policy.py", "routes.py", "wire.py"),
        ]
    )
    for made in ("catalog/acme.yaml", "catalog/seeds/acme.txt", "docs/vendors/acme.md"):
        assert (tree / made).is_file(), made
    assert (tree / "scenarios" / "acme" / "rate-limited-then-recovers.yaml").is_file()


def test_the_new_vendor_registers_last_and_answers_as_its_envelope_says(tree: Path) -> None:
    done = run(tree, "-c", PROBE)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["vendors"][-1] == "acme"
    status, message, _ = seen["create"]
    assert status == 201
    assert (message["to"], message["status"]) == ("+15550001", "queued")
    assert seen["fetch"][:2] == [200, message]
    not_found = {"error": {"code": "NOT_FOUND", "message": "The requested resource was not found."}}
    assert seen["other_session"][:2] == [404, not_found]
    assert seen["unknown"][:2] == [404, not_found]
    assert seen["no_auth"][0] == 401
    assert seen["no_auth"][2]["WWW-Authenticate"] == 'Bearer realm="acme"'
    assert seen["missing"][:2] == [
        400,
        {"error": {"code": "MISSING_FIELD", "message": "The field text is required."}},
    ]
    assert seen["malformed"][1]["error"]["code"] == "INVALID_BODY"
    assert seen["injected"][0] == 429
    assert seen["injected"][1]["error"]["code"] == "RATE_LIMITED"
    assert seen["magic"][0] == 429  # the shipped defaults.yaml magic recipient


def test_the_scaffolded_scenario_validates(tree: Path) -> None:
    done = run(tree, "-m", "mockserver", "validate", "scenarios/acme")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_scaffold_passes_the_architecture_checks(tree: Path) -> None:
    done = run(tree, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_architecture.py")
    assert done.returncode == 0, done.stdout[-3000:]
    assert "acme" in run(tree, "-m", "pytest", "--collect-only", "-q", "tests").stdout


def test_the_scaffold_is_lint_and_strict_type_clean(tree: Path) -> None:
    folder = "mockserver/vendors/acme"
    for args in (["check", folder], ["format", "--check", folder]):
        done = run(tree, "-m", "ruff", *args)
        assert done.returncode == 0, done.stdout + done.stderr
    done = run(tree, "-m", "mypy", "--strict", "--cache-dir", str(tree / ".mypy"), folder)
    assert done.returncode == 0, done.stdout


def test_the_scaffold_refuses_to_overwrite_and_refuses_bad_names(tree: Path) -> None:
    again = run(tree, "scripts/new_vendor.py", "acme")
    assert again.returncode != 0
    assert "'acme' exists already" in again.stderr
    bad = run(tree, "scripts/new_vendor.py", "Acme-2")
    assert bad.returncode == 2
    assert "NAME must be" in bad.stderr
