"""Gunicorn under the bench settings, and a small concurrent HTTP client for loopback runs."""

import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field

from bench.common import ROOT, say


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """``gunicorn config.wsgi`` with 2 × cores + 1 sync workers, production-like bench settings."""

    def __init__(self, *, database_url: str, workers: int | None = None, port: int | None = None):
        self.database_url = database_url
        self.workers = workers or 2 * (os.cpu_count() or 1) + 1
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.log = ROOT / "var" / "bench" / f"gunicorn-{self.port}.log"

    def start(self) -> "Gunicorn":
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": self.database_url,
            # Persistent connections, as a production deployment would configure them.
            "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60"),
        }
        self.log.parent.mkdir(parents=True, exist_ok=True)
        command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi", "--workers", str(self.workers),
                   "--bind", f"127.0.0.1:{self.port}", "--timeout", "120", "--graceful-timeout", "5"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log.open("ab"),
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                status, _ = request("GET", self.port, "/admin/login/")
                if status == 200 and len(self.worker_pids()) >= self.workers:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError(f"gunicorn did not answer within 180 s; see {self.log}")
        say(f"  gunicorn: {self.workers} workers on 127.0.0.1:{self.port} (pid {self.process.pid})")
        return self

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        try:
            out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True)
        except OSError:
            return []
        return [int(pid) for pid in out.stdout.split()]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def request(method: str, port: int, path: str, *, body=None, token: str | None = None, timeout: float = 60,
            cookie: str | None = None):
    """One request on a new loopback connection (gunicorn's sync workers close it after each)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Host": "127.0.0.1", "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token and token.startswith("sessionid="):
        headers["Cookie"] = token  # a signed-in browser session, for the HTML pages
    elif token:
        headers["Authorization"] = f"Token {token}"
    if cookie:
        headers["Cookie"] = cookie
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        return response.status, payload
    finally:
        connection.close()


@dataclass
class Tally:
    """What a run of requests gave: durations of the successes, errors by kind."""

    durations: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def ok(self, seconds: float) -> None:
        with self.lock:
            self.durations.append(seconds)

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def hammer(*, port: int, make_request, clients: int, seconds: float, expect=(200, 201)) -> tuple[Tally, float]:
    """``clients`` threads each send ``make_request(i)`` → (method, path, body, token) until time is up."""
    tally = Tally()
    stop = time.monotonic() + seconds
    counter = iter(range(10**12))
    counter_lock = threading.Lock()

    def worker():
        while time.monotonic() < stop:
            with counter_lock:
                index = next(counter)
            method, path, body, token = make_request(index)
            started = time.perf_counter()
            try:
                status, _payload = request(method, port, path, body=body, token=token)
            except (OSError, http.client.HTTPException) as error:
                tally.error(f"connection: {type(error).__name__}")
                time.sleep(0.05)
                continue
            if status in expect:
                tally.ok(time.perf_counter() - started)
            else:
                tally.error(f"HTTP {status}")

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - began
