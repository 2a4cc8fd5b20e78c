"""`--workers N`: N server processes on one port (SO_REUSEPORT), their state in a shared store.

The parent binds each port first without listening, which settles a `--port 0` once for all
workers and holds the ports until every worker listens (then prints the banner); the workers (forked, so they start
from the parsed settings) listen on the same ports with SO_REUSEPORT and the kernel spreads
connections over them. The parent only supervises: SIGTERM/SIGINT are passed on and waited
for, and a worker that dies takes the others down with it (exit status its own), so an
orchestrator restarts a whole server rather than one quietly missing a process. With
`--store local` the parent also runs the redis-server they share.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import multiprocessing
import signal
import socket
import sys
import time
from functools import partial
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from mockserver.settings import Settings, StartupError
from mockserver.store.shared.errors import StoreUnavailable
from mockserver.store.shared.link import RedisLink
from mockserver.store.shared.local import LocalRedis

# how long the workers get beyond their own shutdown grace before they are killed
STOP_MARGIN = 5.0
START_TIMEOUT = 60.0
_FORK = multiprocessing.get_context("fork")


def supervise(settings: Settings) -> int:
    """Run `settings.workers` server processes until a signal or a worker's exit."""
    # first: a SIGTERM sent as soon as the banner is out must still stop the workers
    stopping: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, _frame: stopping.append(signum))
    with contextlib.ExitStack() as stack:
        if settings.store == "local":
            redis = stack.enter_context(LocalRedis())
            settings = settings.model_copy(update={"store": redis.url})
        _check_store(settings.store)
        held: list[socket.socket] = []
        try:
            if settings.workers > 1:  # one worker (--store local alone) binds as usual
                settings = _hold_ports(settings, held)
            workers = [_spawn(settings, i) for i in range(settings.workers)]
            _await_ready(workers)
        finally:
            for sock in held:
                sock.close()
        return _wait([w for w, _ in workers], settings.shutdown_grace + STOP_MARGIN, stopping)


def _check_store(url: str) -> None:
    """The parent asks Redis first, so that a store that does not answer is one line, once."""
    # (each worker would otherwise report it, and the parent lose the race to say why)
    link = RedisLink(url)

    async def probe() -> None:
        try:
            await link.start()
        finally:
            await link.close()

    try:
        asyncio.run(probe())
    except StoreUnavailable:
        raise StartupError(link.unreachable()) from None


def _hold_ports(settings: Settings, held: list[socket.socket]) -> Settings:
    """Bind (not listen) every port: `0` becomes one port for all workers."""
    port = _hold(settings.host, settings.port, held)
    vendor_ports = {n: _hold(settings.host, p, held) for n, p in settings.vendor_ports.items()}
    return settings.model_copy(update={"port": port, "vendor_ports": vendor_ports})


def _hold(host: str, port: int, held: list[socket.socket]) -> int:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    held.append(sock)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        raise StartupError(f"--port {port}: cannot bind {host}:{port} ({err.strerror})") from None
    return int(sock.getsockname()[1])


def _spawn(settings: Settings, index: int) -> tuple[BaseProcess, Connection]:
    # a pipe, not an Event: setting an Event whose waiter was killed blocks forever
    ready, told = _FORK.Pipe(duplex=False)
    name = f"mockserver-worker-{index}"
    process = _FORK.Process(target=_worker, args=(settings, index == 0, told), name=name)
    process.start()
    told.close()
    return process, ready


def _await_ready(workers: list[tuple[BaseProcess, Connection]]) -> None:
    """Wait until every worker listens, then print the first one's banner (all are ready)."""
    deadline = time.monotonic() + START_TIMEOUT
    banners = []
    for process, ready in workers:
        banner = _banner(process, ready, deadline)
        if banner is None:
            for other, _ in workers:
                other.kill()
            raise StartupError(f"{process.name} did not start (its error is above)")
        banners.append(banner)
    print(banners[0], end="", flush=True)


def _banner(process: BaseProcess, ready: Connection, deadline: float) -> str | None:
    """What the worker sent once it listened; None when it died (or hung) before that."""
    while not ready.poll(0.1):
        if not process.is_alive() or time.monotonic() > deadline:
            return None
    try:
        return ready.recv_bytes().decode()
    except EOFError:  # its end of the pipe closed: it exited without telling
        return None


def _worker(settings: Settings, speaks: bool, ready: Connection) -> None:
    """One server process; it tells the parent when it listens, the first with its banner."""
    from mockserver.server.loop import run_loop
    from mockserver.server.run import serve

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent turns ^C into one SIGTERM
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # until serve() takes it: not the parent's
    try:
        banner = io.StringIO()
        told = partial(_tell, ready, banner)
        run_loop(serve(settings, banner if speaks else None, on_ready=told))
    except StartupError as err:
        print(f"mockserver: {err}", file=sys.stderr, flush=True)
        sys.exit(2)


def _tell(ready: Connection, banner: io.StringIO) -> None:
    with contextlib.suppress(OSError):  # a parent gone is a parent that no longer waits
        ready.send_bytes(banner.getvalue().encode())
    ready.close()


def _wait(workers: list[BaseProcess], patience: float, stopping: list[int]) -> int:
    while not stopping and all(w.is_alive() for w in workers):
        time.sleep(0.1)
    dead = next((w for w in workers if not w.is_alive()), None)
    for worker in workers:
        if worker.is_alive():
            worker.terminate()  # SIGTERM: the worker's own graceful shutdown
    deadline = time.monotonic() + patience
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
        if worker.is_alive():
            worker.kill()
            worker.join()
    if stopping or dead is None:
        return 0
    code = dead.exitcode if dead.exitcode and dead.exitcode > 0 else 1
    print(f"mockserver: {dead.name} exited ({dead.exitcode}); stopped the others", file=sys.stderr)
    return code
