"""qtls.prefork.WorkerPool with real processes on 127.0.0.1: workers share one port and their
session-ticket keys, a worker that dies is restarted (with a back-off when it dies at start),
and SIGTERM or SIGINT stops them all, leaving no process behind."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import threading
import time
from pathlib import Path

import pytest

from qtls.prefork import WorkerPool
from qtls.QtNetwork import QSslConfiguration
from tests.cli.helpers import Background
from tests.prefork.conftest import Pools


def _worker_pids(pool: Background, count: int) -> set[int]:
    return {int(pool.wait_for(rf"worker {n} pid (\d+) serving").group(1))
            for n in range(1, count + 1)}


class Client:
    """A stdlib TLS client that offers the last session ticket it received."""

    def __init__(self, folder: Path, port: int) -> None:
        self.context = ssl.create_default_context(cafile=str(folder / "ca.pem"))
        self.port = port
        self.session: ssl.SSLSession | None = None

    def ask(self) -> tuple[int, bool, bool]:
        """(pid of the worker that answered, a ticket was offered, the session resumed)."""
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        offered = self.session is not None
        with self.context.wrap_socket(raw, server_hostname="localhost",
                                      session=self.session) as tls:
            tls.sendall(b"who?\n")
            answer = tls.recv(100)  # (the TLS 1.3 tickets came before it)
            self.session = tls.session
            return int(answer), offered, tls.session_reused


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _until_every_worker_served(client: Client, pids: set[int],
                               limit: int = 60) -> dict[int, list[bool]]:
    """Connect until each of ``pids`` has answered (at most ``limit`` connections); the
    resumption outcome of each offered ticket, by the worker that answered."""
    resumed: dict[int, list[bool]] = {}
    for _ in range(limit):
        pid, offered, reused = client.ask()
        assert pid in pids, (pid, pids)
        resumed.setdefault(pid, [])
        if offered:
            resumed[pid].append(reused)
        if set(resumed) == pids and all(resumed.values()):
            break
    return resumed


@pytest.mark.timeout(60)
@pytest.mark.parametrize("reuse_port", [False, True], ids=["shared-socket", "reuse-port"])
def test_workers_serve_one_port_and_every_ticket_resumes_on_any_worker(
        pools: Pools, tmp_path: Path, reuse_port: bool) -> None:
    args = ["--reuse-port"] if reuse_port else []
    pool, port = pools.start(*args)
    if reuse_port:
        assert "reuse_port True" in pool.output
    pids = _worker_pids(pool, 2)
    # ready() came after both workers were set up, and only once.
    pool.wait_for(r"every worker is ready")
    lines = pool.output.splitlines()
    assert lines.index("every worker is ready") > max(
        i for i, line in enumerate(lines) if line.endswith("serving"))
    resumed = _until_every_worker_served(Client(tmp_path, port), pids)
    # Both workers answered, and each resumed the sessions of tickets the other one issued.
    assert set(resumed) == pids, f"one worker served every connection: {resumed}"
    assert all(resumed.values()) and all(all(r) for r in resumed.values()), resumed
    pool.proc.send_signal(signal.SIGTERM)
    assert pool.finish() == 0
    pool.wait_for(r"run returned 0, stopped by SIGTERM, children left: none")
    assert all(_gone(pid) for pid in pids)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("reuse_port", [False, True], ids=["shared-socket", "reuse-port"])
def test_a_killed_worker_is_restarted_and_serves(pools: Pools, tmp_path: Path,
                                                 reuse_port: bool) -> None:
    pool, port = pools.start(*(["--reuse-port"] if reuse_port else []))
    first = int(pool.wait_for(r"worker 1 pid (\d+) serving").group(1))
    second = int(pool.wait_for(r"worker 2 pid (\d+) serving").group(1))
    os.kill(first, signal.SIGKILL)
    pool.wait_for(rf"worker 1 \(pid {first}\) was killed by SIGKILL after .*; restarting")
    deadline = time.monotonic() + 15
    while True:
        lines = [line for line in pool.output.splitlines()
                 if line.startswith("worker 1 pid") and line.endswith("serving")]
        if len(lines) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(lines) == 2, pool.output
    assert pool.output.count("every worker is ready") == 1  # (not again for a restart)
    replacement = int(lines[1].split()[3])
    assert replacement not in (first, second) and _gone(first)
    # The new worker takes connections again (and resumes the others' tickets).
    resumed = _until_every_worker_served(Client(tmp_path, port), {second, replacement})
    assert set(resumed) == {second, replacement}, resumed
    assert all(all(r) for r in resumed.values()), resumed
    pool.proc.send_signal(signal.SIGTERM)
    assert pool.finish() == 0
    assert all(_gone(pid) for pid in (second, replacement))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_stops_every_worker_and_run_returns(pools: Pools,
                                                          signum: signal.Signals) -> None:
    pool, _ = pools.start("--workers", "3")
    pids = _worker_pids(pool, 3)
    started = time.monotonic()
    pool.proc.send_signal(signum)
    assert pool.finish(timeout=15) == 0
    assert time.monotonic() - started < 10
    pool.wait_for(rf"run returned 0, stopped by {signum.name}, children left: none")
    assert all(_gone(pid) for pid in pids)


@pytest.mark.timeout(60)
def test_a_worker_that_fails_at_start_is_restarted_with_a_back_off(pools: Pools) -> None:
    pool, _ = pools.start("--workers", "1", "--mode", "fail")
    pool.wait_for(r"worker 1 pid \d+ starting")
    time.sleep(3.0)
    starts = pool.output.count("worker 1 pid")
    # 0.1 + 0.2 + 0.4 + 0.8 + 1.6 s of back-off: about six starts in three seconds, where a
    # tight loop would have made hundreds. It is restarted, and says why it failed.
    assert 2 <= starts <= 8, pool.output
    assert "this worker cannot start" in pool.output
    assert "restarting it in" in pool.output
    assert "serving" not in pool.output
    pool.proc.send_signal(signal.SIGTERM)  # stops during a back-off wait too
    assert pool.finish(timeout=15) == 0
    pool.wait_for(r"children left: none")


@pytest.mark.timeout(60)
def test_workers_that_finish_by_themselves_are_not_restarted(pools: Pools) -> None:
    pool, _ = pools.start("--mode", "finish")
    assert pool.finish(timeout=15) == 0
    pool.wait_for(r"run returned 0, stopped by -, children left: none")
    assert pool.output.count("starting") == 2
    assert "restarting" not in pool.output


@pytest.mark.timeout(60)
def test_a_worker_that_ignores_sigterm_is_killed_after_the_stop_timeout(pools: Pools) -> None:
    pool, _ = pools.start("--workers", "1", "--mode", "stubborn", "--stop-timeout", "1")
    (pid,) = _worker_pids(pool, 1)
    pool.proc.send_signal(signal.SIGTERM)
    assert pool.finish(timeout=15) == 1
    pool.wait_for(rf"worker 1 \(pid {pid}\) did not stop within 1.0 s: killed")
    pool.wait_for(r"run returned 1, stopped by SIGTERM, children left: none")
    assert _gone(pid)


@pytest.mark.timeout(60)
def test_an_exception_from_ready_stops_the_workers_before_it_propagates(pools: Pools) -> None:
    pool, _ = pools.start("--ready-fails")
    pids = _worker_pids(pool, 2)
    assert pool.finish(timeout=15) == 1  # the exception ended the program
    assert "RuntimeError: ready() failed" in pool.output
    assert all(_gone(pid) for pid in pids)


# -- in this process: checks made before anything is forked ----------------------------------


def test_bad_arguments_are_refused_before_anything_runs() -> None:
    conf = QSslConfiguration.defaultConfiguration()
    with pytest.raises(ValueError, match="workers must be 1 or more"):
        WorkerPool(conf, workers=0)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        with pytest.raises(ValueError, match="reuse_port"):
            WorkerPool(conf, listener=listener, reuse_port=True)
        with pytest.raises(OSError):  # the port is taken
            WorkerPool(conf, port=listener.getsockname()[1])


def test_a_pool_on_a_given_listener_reports_its_port_and_leaves_it_open() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        pool = WorkerPool(QSslConfiguration.defaultConfiguration(), listener=listener)
        assert pool.port == listener.getsockname()[1]
        pool.close()
        assert listener.fileno() >= 0


def test_run_refuses_a_thread_other_than_the_main_one() -> None:
    pool = WorkerPool(QSslConfiguration.defaultConfiguration(), workers=1)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            pool.run(lambda server, number: None)
        except RuntimeError as error:
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=10)
    pool.close()
    assert errors and "main thread" in str(errors[0])
