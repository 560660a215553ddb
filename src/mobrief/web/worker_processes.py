"""`mobrief serve --workers N`: N server processes, each accepting on its own listening socket (SO_REUSEPORT).

Why not uvicorn's own supervisor: it shares one listening socket among its workers, and a worker's event loop
accepts every connection waiting when it wakes. Under a burst one worker took 19 of 20 editors' keep-alive
connections and served them on one core (one interpreter lock) while the other idled, doubling the p95 of
`benchmarks/web_load.py` in about half its runs. With a socket per worker the kernel spreads new connections over
the workers by a hash of their addresses. Only Linux balances such sockets (`reuse_port_balances`); elsewhere
`serve` keeps uvicorn's supervisor.

A hash still deals unevenly now and then (16 of 20 editors on one worker of two in a run of the benchmark, its p95
more than twice the usual), so the workers share how many connections each holds (`ConnectionShare`), and one
holding more than its share asks a client to reconnect, which the kernel hashes anew.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
import time
from collections.abc import MutableSequence
from types import FrameType

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.config import STARTUP_FAILURE

from mobrief.errors import ConfigError

log = logging.getLogger("mobrief.web")

GRACE_SECONDS = 30  # how long a worker may finish its requests after SIGTERM before it is killed


class ConnectionShare:
    """How many keep-alive connections each worker holds, in memory the workers share (one slot a worker), and
    whether this worker should ask a client to reconnect: when it holds more than one over its fair share and the
    client's connection has settled (a burst's first answers are never refused keep-alive)."""

    WINDOW = 2.0  # seconds without a request after which a connection is not counted (it may have gone)
    SETTLED = 3  # requests a connection has made before it may be asked to move
    MOVING = 0.25  # seconds a connection asked to move is counted as on its way (not to ask too many at once)

    def __init__(self, counts: MutableSequence[int], index: int) -> None:
        self._counts = counts
        self._index = index
        self._seen: dict[tuple[str, int], tuple[float, int]] = {}  # client → (last request, requests)
        self._moved: list[float] = []  # when this worker last asked clients to reconnect (they will, somewhere)
        self._pruned = 0.0

    def should_move(self, client: tuple[str, int] | None, now: float) -> bool:
        """Count a request of `client` (host, port) at `now`; True when its connection should end after it."""
        if client is None:
            return False
        requests = self._seen.get(client, (now, 0))[1] + 1
        self._seen[client] = (now, requests)
        if now - self._pruned > self.WINDOW / 4:
            self._seen = {c: seen for c, seen in self._seen.items() if now - seen[0] <= self.WINDOW}
            self._pruned = now
        self._moved = [moment for moment in self._moved if now - moment <= self.MOVING]
        held = len(self._seen)
        counts = list(self._counts)
        counts[self._index] = held
        fair = -(-(sum(counts) + len(self._moved)) // len(counts))
        move = requests >= self.SETTLED and held > fair + 1
        if move:
            del self._seen[client]
            self._moved.append(now)
            held -= 1
        self._counts[self._index] = held
        return move


class MoveOverShare:
    """ASGI middleware: "Connection: close" on the answer to a client that `share` says should reconnect."""

    def __init__(self, app: ASGIApp, *, share: ConnectionShare) -> None:
        self.app = app
        self.share = share

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.share.should_move(scope.get("client"), time.monotonic()):
            await self.app(scope, receive, send)
            return

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"connection", b"close")]
            await send(message)

        await self.app(scope, receive, closing)


_share: ConnectionShare | None = None  # this worker's, set before its app is built


def connection_share() -> ConnectionShare | None:
    """This worker process's share of the connections (None outside `run_workers`)."""
    return _share


def reuse_port_balances() -> bool:
    """Whether the kernel spreads connections over sockets that share a port (Linux's SO_REUSEPORT)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _bound_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _stop_with_parent(parent: int) -> None:
    """Ask Linux to send this process SIGTERM when the supervisor dies, even by SIGKILL: no orphan keeps the port."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != parent:  # it died before the request took effect
        sys.exit(0)


def _serve_one(config: uvicorn.Config, parent: int, counts: MutableSequence[int], index: int) -> None:
    """One worker process: its own socket on the shared port, then uvicorn's server on it until SIGTERM."""
    global _share
    _stop_with_parent(parent)
    counts[index] = 0  # a worker that died held none any more
    _share = ConnectionShare(counts, index)
    config.configure_logging()
    try:
        sock = _bound_socket(config.host, config.port)
    except OSError as exc:
        log.error("mobrief serve: cannot listen on %s:%s: %s", config.host, config.port, exc)
        sys.exit(STARTUP_FAILURE)
    uvicorn.Server(config).run(sockets=[sock])


def run_workers(config: uvicorn.Config, workers: int) -> None:
    """Serve `config` from `workers` processes until SIGINT or SIGTERM; a worker that dies is replaced.

    The port is held (bound, not listening) here the whole time, so no other program takes it while a worker
    restarts, and port 0 picks one port for all workers."""
    try:
        holder = _bound_socket(config.host, config.port)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {config.host}:{config.port}: {exc}") from exc
    config.port = holder.getsockname()[1]
    spawn = multiprocessing.get_context("spawn")
    counts = spawn.Array("i", workers, lock=False)  # connections each worker holds (ConnectionShare)
    stopping: list[int] = []

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.append(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}

    def start(index: int) -> multiprocessing.process.BaseProcess:
        process = spawn.Process(target=_serve_one, args=(config, os.getpid(), counts, index), name="mobrief-web")
        process.start()
        return process

    processes = [start(index) for index in range(workers)]
    try:
        while not stopping:
            multiprocessing.connection.wait([p.sentinel for p in processes], timeout=0.5)
            for index, process in enumerate(processes):
                if process.exitcode is None or stopping:
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    raise ConfigError(f"a web worker could not start on {config.host}:{config.port} (see above)")
                log.warning("web worker %s stopped (exit code %s); starting another", process.pid, process.exitcode)
                processes[index] = start(index)
    finally:
        for process in processes:
            if process.exitcode is None:
                process.terminate()  # SIGTERM: uvicorn finishes the requests in hand, then exits
        for process in processes:
            process.join(GRACE_SECONDS)
            if process.exitcode is None:
                process.kill()
                process.join()
        holder.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
