"""`mobrief serve --workers N` as a real server process: each worker listens on its own socket, editors' connections
are spread over the workers, a killed worker is replaced and SIGTERM stops them all (Linux, read from /proc)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mobrief.web import worker_processes

pytestmark = pytest.mark.skipif(not worker_processes.reuse_port_balances(), reason="SO_REUSEPORT balances on Linux")

LISTEN, ESTABLISHED = "0A", "01"  # socket states in /proc/net/tcp


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = str(fd.readlink())
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _tcp_sockets(port: int) -> dict[str, str]:
    """inode → state of every IPv4 TCP socket whose local port is `port`."""
    found = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port:
            found[fields[9]] = fields[3]
    return found


def _workers(server: int, port: int) -> dict[int, int]:
    """Each worker process (a child listening on the port) → the established connections it holds."""
    sockets = _tcp_sockets(port)
    workers = {}
    for child in _children(server):
        states = [sockets[inode] for inode in _socket_inodes(child) if inode in sockets]
        if LISTEN in states:
            workers[child] = states.count(ESTABLISHED)
    return workers


def _wait_for(condition: object, what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _answers(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = _free_port()
    env = {**os.environ, "MOBRIEF_SECRET_KEY": "worker-processes-test-secret-0123"}
    command = [sys.executable, "-m", "mobrief", "--db", f"sqlite:///{tmp_path / 'web.db'}", "serve"]
    server = subprocess.Popen([*command, "--port", str(port), "--workers", "2"], env=env)
    try:
        _wait_for(lambda: _answers(f"http://127.0.0.1:{port}") and len(_workers(server.pid, port)) == 2, "2 workers")
        yield server, port
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def _open_connections(port: int, n: int) -> list[socket.socket]:
    """n keep-alive connections opened at once, as a burst of editors' browsers would, each answered once."""
    connections = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
    for conn in connections:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    for conn in connections:
        conn.settimeout(30)
        assert conn.recv(4096).startswith(b"HTTP/1.1 200")
    return connections


def test_each_worker_listens_on_its_own_socket_and_connections_are_spread(
    served: tuple[subprocess.Popen[bytes], int],
) -> None:
    server, port = served
    workers = _workers(server.pid, port)
    listening = [state for state in _tcp_sockets(port).values() if state == LISTEN]
    assert len(workers) == 2 and len(listening) == 2  # not one socket shared by both
    connections = _open_connections(port, 20)
    try:
        held = _workers(server.pid, port)
        # one shared socket let the first worker to wake take (nearly) all; a hash leaves one idle once in 500,000
        assert sum(held.values()) == 20 and min(held.values()) >= 1, held
    finally:
        for conn in connections:
            conn.close()


def test_a_killed_worker_is_replaced_and_sigterm_stops_them_all(served: tuple[subprocess.Popen[bytes], int]) -> None:
    server, port = served
    victim, survivor = sorted(_workers(server.pid, port))
    os.kill(victim, signal.SIGKILL)
    _wait_for(lambda: len(_workers(server.pid, port)) == 2 and victim not in _workers(server.pid, port), "a new worker")
    assert survivor in _workers(server.pid, port)
    # listening is not yet serving: the new worker may still be starting its app
    _wait_for(lambda: all(_answers(f"http://127.0.0.1:{port}") for _ in range(10)), "the new worker to serve")
    for conn in _open_connections(port, 6):
        conn.close()
    workers = list(_workers(server.pid, port))
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=60) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


def test_workers_stop_when_the_supervisor_is_killed(served: tuple[subprocess.Popen[bytes], int]) -> None:
    server, port = served
    workers = list(_workers(server.pid, port))
    server.kill()  # SIGKILL: the supervisor cannot stop them itself
    server.wait()
    _wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), "the orphaned workers to stop")
    assert not any(state == LISTEN for state in _tcp_sockets(port).values())


def test_a_port_held_by_another_program_is_refused_by_name(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        env = {**os.environ, "MOBRIEF_SECRET_KEY": "worker-processes-test-secret-0123"}
        command = [sys.executable, "-m", "mobrief", "--db", f"sqlite:///{tmp_path / 'web.db'}", "serve"]
        result = subprocess.run(
            [*command, "--port", str(port), "--workers", "2"], env=env, capture_output=True, text=True, timeout=300
        )
    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_workers_even_out_the_connections_they_hold(served: tuple[subprocess.Popen[bytes], int]) -> None:
    """Editors who keep their connections: a worker holding more than its share asks one to reconnect
    ("Connection: close"), the kernel hashes the new one anew, until none holds more than one over its share."""
    server, port = served
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) for _ in range(20)]
    try:
        for _ in range(60):  # rounds of a request each
            answers = [client.get("/healthz") for client in clients]
            assert all(answer.status_code == 200 for answer in answers)
            moving = sum(answer.headers.get("connection") == "close" for answer in answers)
            held = _workers(server.pid, port)
            if sum(held.values()) + moving == 20 and max(held.values()) <= 11:
                break
        # by a hash alone, one worker of two holds 12 or more of 20 about half the time
        assert sum(held.values()) + moving == 20 and max(held.values()) <= 11, held
    finally:
        for client in clients:
            client.close()


def test_a_worker_over_its_share_moves_only_settled_connections() -> None:
    counts = [0, 0]
    first, second = worker_processes.ConnectionShare(counts, 0), worker_processes.ConnectionShare(counts, 1)
    now = 100.0
    for port in range(6):  # the second worker holds 6
        assert not second.should_move(("127.0.0.1", 2000 + port), now)
    # a burst of 14 new connections on the first: their first answers keep their connections, settled or not
    for _ in range(worker_processes.ConnectionShare.SETTLED - 1):
        assert not any(first.should_move(("127.0.0.1", 1000 + port), now) for port in range(14))
    assert counts == [14, 6]
    moved = [port for port in range(14) if first.should_move(("127.0.0.1", 1000 + port), now + 0.1)]
    # 20 connections, a share of 10: the first asks 3 to reconnect (they will, somewhere) and keeps 11
    assert moved == [0, 1, 2] and counts == [11, 6]
    assert not any(second.should_move(("127.0.0.1", 2000 + port), now + 0.1) for port in range(6))
    # connections not heard from within the window no longer count
    assert not first.should_move(("127.0.0.1", 1013), now + 0.2 + worker_processes.ConnectionShare.WINDOW)
    assert counts[0] == 1
