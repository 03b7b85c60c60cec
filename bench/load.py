"""Load: gunicorn with the production settings on a free loopback port, signed-in clients, a page mix.

`run(results, scale)` builds the organization of the page timings (bench/pages.py, times `scale`), gives
its viewer a password, collects the static files (the manifest storage needs them), starts gunicorn
(config.settings.production, DEBUG off, the configured DATABASE_URL and REDIS_URL) on 127.0.0.1, signs
in through the login form and sends, from CLIENTS threads for LOAD_SECONDS (15 s by
default), a page mix in turn: overview, alignment, KPI scorecard, an objective, an API list.
Records `load_rps` (answered requests per second), `load_p50_ms`, `load_p95_ms`, `load_p99_ms`,
`load_requests` and `load_errors` (anything but a 200, and connection failures); any error makes
`make bench` exit non-zero. The per-user API throttle is raised for the run: it guards against
runaway clients, and a few threads of one user on loopback are not what is measured. Everything is
deleted afterwards.
"""

import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

from django.conf import settings

from bench import pages
from config.env import VAR_DIR, env
from okrs.models import Objective

CLIENTS = 8
WORKERS = 3  # as in the Dockerfile
HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 60
REQUEST_TIMEOUT_SECONDS = 30


PAGE_NAMES = ("overview", "alignment", "scorecard", "objective", "api_objectives")


class LoadError(Exception):
    """The server answered something other than the page, or never started."""


def run(results: dict, scale: float = 1.0) -> None:
    seconds = env.float("LOAD_SECONDS", default=15.0)
    print(f"Load benchmark: gunicorn ({WORKERS} workers), {CLIENTS} clients, {seconds:.0f} s, page mix")
    bench = pages.organization_build(scale=scale)
    password = secrets.token_urlsafe(16)
    bench.viewer.set_password(password)
    bench.viewer.save(update_fields=["password"])
    log_path = VAR_DIR / "bench-gunicorn.log"
    environment = _production_environment()
    # The production storage needs its manifest, which only a collectstatic under those settings writes.
    manage = [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"]
    subprocess.run(manage, cwd=settings.BASE_DIR, env=environment, check=True, timeout=300)
    port = _free_port()
    server = _start_gunicorn(port, environment, log_path)
    try:
        _wait_until_up(port, server, log_path)
        cookie = _sign_in(port, bench.viewer.username, password)
        objective = Objective.objects.filter(cycle__organization=bench.organization).order_by("pk").first()
        paths = ["/", "/alignment/", "/kpis/", f"/objectives/{objective.pk}/", "/api/v1/objectives/"]
        for path in paths:  # warm-up: each page once, not counted
            _get(port, path, cookie)
        # The machine's load before the run: figures taken on a busy machine are not comparable.
        results["load_machine_loadavg"] = round(os.getloadavg()[0], 2)
        latencies, errors, elapsed = _load(port, paths, cookie, seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
        bench.delete()
    _record(results, latencies, errors, elapsed)
    if errors:
        # bench/__main__.py exits non-zero when load_errors is not 0.
        print(f"Load: {len(errors)} requests failed, e.g. {errors[:3]}; see {log_path}")


def _record(results: dict, by_path: dict[str, list[float]], errors: list[str], elapsed: float) -> None:
    latencies = [latency for path_latencies in by_path.values() for latency in path_latencies]
    centiles = (
        statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else latencies * 99
    )
    results["load_rps"] = round(len(latencies) / elapsed, 1)
    results["load_p50_ms"] = round(statistics.median(latencies) * 1000, 1)
    results["load_p95_ms"] = round(centiles[94] * 1000, 1)
    results["load_p99_ms"] = round(centiles[98] * 1000, 1)
    results["load_requests"] = len(latencies) + len(errors)
    results["load_errors"] = len(errors)
    results["load_clients"] = CLIENTS
    results["load_workers"] = WORKERS
    results["load_seconds"] = round(elapsed, 1)
    # Per page, to see which one sets the tail.
    results["load_pages_p50_ms"] = {
        PAGE_NAMES[index]: round(statistics.median(values) * 1000, 1) if values else None
        for index, values in enumerate(by_path.values())
    }
    print(
        f"Load: {results['load_rps']} requests/s, p50 {results['load_p50_ms']} ms, p95 "
        f"{results['load_p95_ms']} ms, p99 {results['load_p99_ms']} ms, {len(errors)} errors"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _production_environment() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",  # plain http on loopback, as behind a proxy that ends TLS
        "API_THROTTLE_RATE": "1000000/hour",
    }


def _start_gunicorn(port: int, environment: dict[str, str], log_path: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "config.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(WORKERS),
    ]
    command += ["--timeout", "60", "--access-logfile", "-"]
    log = log_path.open("w")
    return subprocess.Popen(command, cwd=settings.BASE_DIR, env=environment, stdout=log, stderr=log)


def _wait_until_up(port: int, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise LoadError(f"gunicorn exited with {server.returncode}; see {log_path}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise LoadError(
        f"gunicorn did not answer on port {port} within {START_TIMEOUT_SECONDS} s; see {log_path}"
    )


def _request(port: int, method: str, path: str, cookies: dict, body: str | None = None):
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_SECONDS)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                cookies[name] = morsel.value
        return response
    finally:
        connection.close()


def _sign_in(port: int, username: str, password: str) -> dict:
    cookies: dict[str, str] = {}
    _request(port, "GET", "/accounts/login/", cookies)
    form = {"username": username, "password": password, "csrfmiddlewaretoken": cookies.get("csrftoken", "")}
    response = _request(port, "POST", "/accounts/login/", cookies, urllib.parse.urlencode(form))
    if response.status != 302 or "sessionid" not in cookies:
        raise LoadError(f"Signing in answered {response.status} without a session cookie.")
    return cookies


def _get(port: int, path: str, cookies: dict) -> None:
    response = _request(port, "GET", path, dict(cookies))
    if response.status != 200:
        raise LoadError(f"GET {path} answered {response.status}")


def _load(port: int, paths: list[str], cookies: dict, seconds: float) -> tuple[dict, list[str], float]:
    latencies: dict[str, list[float]] = {path: [] for path in paths}
    errors: list[str] = []
    lock = threading.Lock()
    started = time.perf_counter()
    stop_at = started + seconds

    def client(offset: int) -> None:
        mine, failed = [], []
        turn = offset
        while time.perf_counter() < stop_at:
            path = paths[turn % len(paths)]
            turn += 1
            begun = time.perf_counter()
            try:
                response = _request(port, "GET", path, dict(cookies))
                if response.status == 200:
                    mine.append((path, time.perf_counter() - begun))
                else:
                    failed.append(f"GET {path}: {response.status}")
            except OSError as error:
                failed.append(f"GET {path}: {error}")
        with lock:
            for path, latency in mine:
                latencies[path].append(latency)
            errors.extend(failed)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - started
