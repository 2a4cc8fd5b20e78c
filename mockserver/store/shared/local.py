"""A redis-server of our own on a free loopback port: for `--workers` without a Redis, tests, bench."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from mockserver.settings import StartupError

START_TIMEOUT = 10.0


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalRedis:
    """A redis-server child process bound to 127.0.0.1, without persistence unless asked.

    Args:
        port: the port (0: a free one, kept across `stop` and `start`).
        persist: keep an append-only file in its scratch folder, so a restart keeps the data.
    """

    def __init__(self, port: int = 0, persist: bool = False) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise StartupError(
                "redis-server is not installed (Debian: apt-get install redis-server)"
            )
        self.binary = binary
        self.port = port or free_port()
        self.persist = persist
        self.dir = Path(tempfile.mkdtemp(prefix="mockserver-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """redis://127.0.0.1:PORT/0."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> LocalRedis:
        """Start it and wait until it accepts connections."""
        keep = ["--appendonly", "yes"] if self.persist else ["--appendonly", "no"]
        args = [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
        args += [*keep, "--dir", str(self.dir), "--protected-mode", "yes"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise StartupError(f"redis-server exited at start: {err.strip()[:300]}")
            if self._answers():
                return
            time.sleep(0.02)
        raise StartupError(f"redis-server did not answer on port {self.port} in {START_TIMEOUT}s")

    def _answers(self) -> bool:
        return self.command(b"PING") == b"+PONG"

    def command(self, line: bytes) -> bytes | None:
        """One inline command's first reply line (e.g. b"+OK"), or None when it is down."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(line + b"\r\n")
                return sock.recv(64).split(b"\r\n")[0]
        except OSError:
            return None

    def flush(self) -> None:
        """Forget everything it holds (between tests)."""
        if self.command(b"FLUSHALL") != b"+OK":
            raise StartupError(f"redis-server on port {self.port} did not flush")

    def stop(self, kill: bool = False) -> None:
        """Stop it (SIGKILL when `kill`: a crash, not a shutdown)."""
        if self.process is None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        self.process.wait(10)
        if self.process.stderr is not None:
            self.process.stderr.close()
        self.process = None

    def close(self) -> None:
        """Stop it and remove its scratch folder."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> LocalRedis:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
