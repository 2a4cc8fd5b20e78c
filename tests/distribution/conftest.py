"""The distribution built once per worker from this checkout, and a fresh venv with the wheel.

Offline: the wheel and sdist are built with the dev venv's hatchling (`python -m build
--no-isolation`), and the fresh venv gets the wheel with `--no-index`; its dependencies are
the dev venv's, reached through PYTHONPATH: a folder of links to everything in the dev
venv's site-packages except this project's own files.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import sysconfig
import time
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
DIST_NAME = "cpaas-mockserver"


@dataclass(frozen=True)
class Dist:
    wheel: Path
    sdist: Path


@dataclass(frozen=True)
class Installed:
    """A fresh venv holding only the wheel; `env` runs its commands offline."""

    root: Path
    env: dict[str, str]

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args, cwd=cwd, env=self.env, capture_output=True, text=True, timeout=120
        )


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    out = tmp_path_factory.mktemp("dist")
    # a copy of the tracked files: what a clean checkout holds, nothing built or cached
    tree = tmp_path_factory.mktemp("checkout")
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (f.decode() for f in files)):
        source = ROOT / name
        if source.is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            (tree / name).write_bytes(source.read_bytes())
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(tree)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return Dist(wheel, sdist)


def dependencies(into: Path) -> Path:
    """Links to the dev venv's installed packages, without mockserver, its metadata and .pth."""
    site = Path(sysconfig.get_paths()["purelib"])
    for entry in site.iterdir():
        own = "mockserver" in entry.name.lower()
        if not own and entry.suffix != ".pth" and entry.name != "__pycache__":
            (into / entry.name).symlink_to(entry)
    return into


def offline_env(extra_path: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOCKSERVER_", "PYTHON"))}
    env |= {"PYTHONPATH": extra_path, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    return env


@pytest.fixture(scope="session")
def installed(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("fresh") / "venv"
    venv.EnvBuilder(with_pip=True).create(root)
    env = offline_env(str(dependencies(tmp_path_factory.mktemp("deps"))))
    done = subprocess.run(
        [str(root / "bin" / "python"), "-m", "pip", "install", "--no-deps", str(dist.wheel)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return Installed(root, env)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server exited with {process.returncode}"
        try:
            if requests.get(url + "/__admin/health", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url}/__admin/health did not answer within {timeout} s")


@pytest.fixture
def serve_installed(installed: Installed, tmp_path: Path) -> Iterator[ServeInstalled]:
    servers = ServeInstalled(installed, tmp_path)
    try:
        yield servers
    finally:
        servers.stop()


class ServeInstalled:
    """Starts `mockserver serve` from the fresh venv, from a folder outside the checkout."""

    def __init__(self, installed: Installed, cwd: Path) -> None:
        self.installed = installed
        self.cwd = cwd
        self.processes: list[subprocess.Popen[bytes]] = []

    def __call__(self, *args: str, cwd: Path | None = None) -> str:
        port = free_port()
        command = [str(self.installed.bin / "mockserver"), "serve", "--host", "127.0.0.1"]
        process = subprocess.Popen(
            [*command, "--port", str(port), *args],
            cwd=cwd or self.cwd,
            env=self.installed.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.processes.append(process)
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process)
        return url

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
