"""`mobrief serve --workers N`: N server processes, each accepting on its own listening socket (SO_REUSEPORT).

Why not uvicorn's own supervisor: it shares one listening socket among its workers, and a worker's event loop
accepts every connection waiting when it wakes. Under a burst one worker took 19 of 20 editors' keep-alive
connections and served them on one core (one interpreter lock) while the other idled, doubling the p95 of
`benchmarks/web_load.py` in about half its runs. With a socket per worker the kernel spreads new connections over
the workers by a hash of their addresses. Only Linux balances such sockets (`reuse_port_balances`); elsewhere
`serve` keeps uvicorn's supervisor.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
from types import FrameType

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from mobrief.errors import ConfigError

log = logging.getLogger("mobrief.web")

GRACE_SECONDS = 30  # how long a worker may finish its requests after SIGTERM before it is killed


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


def _serve_one(config: uvicorn.Config, parent: int) -> None:
    """One worker process: its own socket on the shared port, then uvicorn's server on it until SIGTERM."""
    _stop_with_parent(parent)
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
    stopping: list[int] = []

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.append(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}

    def start() -> multiprocessing.process.BaseProcess:
        process = spawn.Process(target=_serve_one, args=(config, os.getpid()), name="mobrief-web")
        process.start()
        return process

    processes = [start() for _ in range(workers)]
    try:
        while not stopping:
            multiprocessing.connection.wait([p.sentinel for p in processes], timeout=0.5)
            for index, process in enumerate(processes):
                if process.exitcode is None or stopping:
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    raise ConfigError(f"a web worker could not start on {config.host}:{config.port} (see above)")
                log.warning("web worker %s stopped (exit code %s); starting another", process.pid, process.exitcode)
                processes[index] = start()
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
