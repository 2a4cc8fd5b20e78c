"""action.yml's steps, run here as GitHub's runner would run them, against the built wheel.

A small runner reads the composite action: it evaluates each step's `if:` on the inputs,
runs `run:` steps with `bash -eo pipefail` and the step's `env:` (inputs substituted), and
carries GITHUB_ENV and GITHUB_OUTPUT from step to step. `uses:` steps (the artifact upload)
are recorded, not run. Offline: `package` is the wheel with --no-deps, its dependencies come
from the dev venv (conftest.py). The image route runs with a stand-in `docker` on PATH that
checks the arguments it gets and serves them with the installed wheel.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.distribution.conftest import ROOT, Dist, Installed, free_port

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
INPUT = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")
CONDITION = re.compile(r"inputs\.([\w-]+) (==|!=) '([^']*)'")
SCENARIO = ROOT / "scenarios" / "signalwire" / "rate-limited-then-recovers.yaml"
OTHER = ROOT / "scenarios" / "yeastar" / "flapping.yaml"
TOKEN = "action-token"


@dataclass
class Runner:
    """One job's state: the exported environment, step outputs, what `uses:` would do."""

    workdir: Path
    base_env: dict[str, str]
    exported: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    used: list[dict[str, Any]] = field(default_factory=list)
    summary: Path = field(init=False)

    def __post_init__(self) -> None:
        self.summary = self.workdir / "step-summary.md"
        self.summary.touch()
        (self.workdir / "runner-temp").mkdir()

    def action(self, **given: str) -> None:
        declared = ACTION["inputs"]
        assert set(given) <= set(declared), set(given) - set(declared)
        inputs = {name: str(spec.get("default", "")) for name, spec in declared.items()}
        inputs |= given
        for step in ACTION["runs"]["steps"]:
            if self.wanted(step.get("if", "true"), inputs):
                self.step(step, inputs)

    @staticmethod
    def wanted(condition: str, inputs: dict[str, str]) -> bool:
        if condition == "true":
            return True
        parts = condition.split(" && ")
        checks = [CONDITION.fullmatch(part.strip()) for part in parts]
        assert all(checks), f"the test runner cannot evaluate `if: {condition}`"
        return all((inputs[m[1]] == m[3]) == (m[2] == "==") for m in checks if m)

    def step(self, step: dict[str, Any], inputs: dict[str, str]) -> None:
        def fill(text: str) -> str:
            return INPUT.sub(lambda m: inputs[m[1]], text)

        if "uses" in step:
            self.used.append(
                {"uses": step["uses"], **{k: fill(v) for k, v in step["with"].items()}}
            )
            return
        # inputs reach scripts only through env: (no ${{ }} inside a script: injection)
        assert "${{" not in step["run"], step["name"]
        files = {
            name: self.workdir / f"{name.lower()}-{len(self.outputs)}"
            for name in ("GITHUB_ENV", "GITHUB_OUTPUT")
        }
        for path in files.values():
            path.write_text("")
        env = {
            **self.base_env,
            **self.exported,
            **{k: fill(str(v)) for k, v in step.get("env", {}).items()},
            **{name: str(path) for name, path in files.items()},
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "RUNNER_TEMP": str(self.workdir / "runner-temp"),
        }
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=self.workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"step {step['name']!r}: {done.stdout}{done.stderr}"
        self.exported |= read_pairs(files["GITHUB_ENV"])
        self.outputs[step.get("id", step["name"])] = read_pairs(files["GITHUB_OUTPUT"])


def read_pairs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


@pytest.fixture
def runner(installed: Installed, tmp_path: Path) -> Any:
    job = Runner(tmp_path, dict(installed.env))
    (tmp_path / "tests").mkdir()
    shutil.copy(SCENARIO, tmp_path / "tests" / SCENARIO.name)
    (tmp_path / "tests" / "extra").mkdir()
    shutil.copy(OTHER, tmp_path / "tests" / "extra" / OTHER.name)
    yield job
    stop(job)


def stop(job: Runner) -> None:
    """Whatever the action started, in case the test failed before `mode: report`."""
    pid = job.exported.get("MOCKSERVER_PID") or job.exported.get("MOCKSERVER_CONTAINER")
    if pid:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), 15)


def gone(pid: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def check_serving(job: Runner) -> str:
    url = job.exported["MOCKSERVER_URL"]
    assert job.outputs["wait"] == {"url": url}
    answer = requests.post(
        url + "/ringcentral/restapi/v1.0/account/~/extension/~/sms",
        headers={"X-Mock-Error": "CMN-301"},
        timeout=10,
    )
    assert answer.status_code == 429
    assert requests.get(url + "/__admin/scenarios", timeout=10).status_code == 401
    loaded = requests.get(
        url + "/__admin/scenarios", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    )
    assert "signalwire-rate-limited-then-recovers" in loaded.text
    assert "yeastar-flapping" in loaded.text
    return url


def check_report(job: Runner, process: int) -> None:
    report = job.workdir / "out" / "report.md"
    job.action(mode="report", **{"admin-token": TOKEN, "report-path": "out/report.md"})
    assert report.read_text().strip()
    assert report.read_text() in job.summary.read_text()
    assert job.used == [
        {"uses": "actions/upload-artifact@v4", "name": "mockserver-report", "path": "out/report.md"}
    ]
    assert gone(process), "the report step did not stop the server"


def test_action_from_the_wheel(runner: Runner, dist: Dist) -> None:
    port = str(free_port())
    runner.action(
        package=f"--no-deps {dist.wheel}",
        python=sys.executable,
        port=port,
        scenarios="tests/",
        args="--seed 7",
        **{"admin-token": TOKEN},
    )
    assert check_serving(runner) == f"http://127.0.0.1:{port}"
    assert Path(runner.exported["MOCKSERVER_BIN"]).is_relative_to(runner.workdir / "runner-temp")
    check_report(runner, int(runner.exported["MOCKSERVER_PID"]))


FAKE_DOCKER = r'''#!PYTHON
"""A stand-in `docker`: checks `run` as the action calls it and serves it with the wheel."""
import os, subprocess, sys
args = sys.argv[1:]
if args[0] == "rm":
    os.kill(int(args[-1]), 15)
    sys.exit(0)
if args[0] == "logs":
    sys.exit(0)
assert args[:2] == ["run", "-d"], args
words = iter(args[2:])
env, mounts, port = {}, [], None
for word in words:
    if word == "-p":
        host, _, inside = next(words).rpartition(":")
        assert inside == "8080" and host.startswith("127.0.0.1:"), host
        port = host.split(":")[1]
    elif word == "-e":
        name, _, value = next(words).partition("=")
        env[name] = value
    elif word == "-v":
        source, target, mode = next(words).split(":")
        assert os.path.isabs(source) and os.path.exists(source), source
        assert target.startswith("/scenarios/") and mode == "ro", target
        mounts.append(source)
    else:
        image, rest = word, list(words)
assert image == "IMAGE" and rest[0] == "serve", (image, rest)
env = {**os.environ, **env, "MOCKSERVER_SCENARIOS": ",".join(mounts)}
command = [os.environ["FAKE_MOCKSERVER"], "serve", "--host", "127.0.0.1", "--port", port, *rest[1:]]
process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(process.pid)
'''


def test_action_from_the_image(runner: Runner, installed: Installed) -> None:
    bin_dir = runner.workdir / "fake-bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    docker.write_text(FAKE_DOCKER.replace("PYTHON", sys.executable, 1))
    docker.chmod(0o755)
    runner.base_env["PATH"] = f"{bin_dir}{os.pathsep}{runner.base_env['PATH']}"
    runner.base_env["FAKE_MOCKSERVER"] = str(installed.bin / "mockserver")
    runner.action(
        **{"from": "image", "image": "IMAGE", "port": str(free_port()), "admin-token": TOKEN},
        scenarios=f"tests/{SCENARIO.name}, tests/extra",
    )
    check_serving(runner)
    assert "MOCKSERVER_BIN" not in runner.exported
    check_report(runner, int(runner.exported["MOCKSERVER_CONTAINER"]))


def test_every_input_is_documented_and_used() -> None:
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    doc = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description"), name
        assert f"inputs.{name} " in text or f"inputs.{name}}}" in text.replace(" }}", "}}"), name
        assert f"`{name}`" in doc, f"docs/ci.md does not describe the input {name}"
