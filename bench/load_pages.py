"""Pages under load, with and without hostile SQL running beside them.

Starts the real service (`infuse serve`, gthread workers) on loopback over a fresh demo region,
then for a fixed time lets 50 concurrent users read public and signed-in pages, twice: once on
its own (the baseline) and once while one signed-in person keeps two hostile queries running
(each built to exhaust the engine: sorting a 50-million-element list). Prints throughput and
p50/p95/p99 latency of the page requests for both runs and their ratios (same process, same
machine, one after the other), and the outcome of the hostile queries.

Usage: .venv/bin/python bench/load_pages.py [--seconds 20] [--users 50]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

INFUSE = [sys.executable, "-m", "infuse.cli"]
PUBLIC = ["/", "/data/", "/experiments/", "/procurement/", "/fund/", "/cy/"]
SIGNED_IN = ["/", "/data/", "/experiments/", "/procurement/", "/data/sql/"]
HOSTILE = "select len(list_sort(range(50000000)))"
ANALYST = "analyst@infuse.example"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [*INFUSE, *args], env=env, capture_output=True, text=True, input=stdin, check=True
    )
    return done.stdout


def _sign_in(base: str) -> urllib.request.OpenerDirector:
    """A client with a signed-in session (the demo analyst), as a browser would get one."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/account/sign-in/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    password = os.environ.get("INFUSE_DEMO_PASSWORD", "infuse-demo-2026")
    form = {"csrfmiddlewaretoken": token.group(1), "username": ANALYST, "password": password}
    request = urllib.request.Request(
        f"{base}/account/sign-in/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": f"{base}/account/sign-in/"},
    )
    opener.open(request).read()
    assert any(cookie.name == "sessionid" for cookie in jar), "sign-in failed"
    return opener


def _users(
    base: str, users: int, seconds: float, signed_in: urllib.request.OpenerDirector
) -> tuple[list[float], list[str]]:
    """``users`` threads reading pages in turn for ``seconds``: latencies and failures."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    anonymous = urllib.request.build_opener()

    def user(number: int) -> None:
        opener, paths = (signed_in, SIGNED_IN) if number % 2 else (anonymous, PUBLIC)
        turn = number
        while time.monotonic() < stop:
            path = paths[turn % len(paths)]
            turn += 1
            started = time.perf_counter()
            try:
                with opener.open(f"{base}{path}", timeout=60) as response:
                    response.read()
                    ok = response.status == 200
            except (urllib.error.URLError, TimeoutError) as error:
                ok, path = False, f"{path}: {error}"
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    failures.append(path)

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures


def _hostile(base: str, token: str, stop: threading.Event, outcomes: list[str]) -> None:
    while not stop.is_set():
        request = urllib.request.Request(
            f"{base}/api/v1/data/sql",
            data=json.dumps({"sql": HOSTILE}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                outcomes.append(str(response.status))
        except urllib.error.HTTPError as error:
            detail = json.loads(error.read()).get("errors", [{}])[0].get("message", "")
            outcomes.append(f"{error.code} {detail[:60]}")


def _summary(
    name: str, latencies: list[float], failures: list[str], seconds: float
) -> dict[str, Any]:
    ordered = sorted(latencies)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0

    row = {
        "run": name,
        "requests": len(ordered),
        "throughput": len(ordered) / seconds,
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "failures": len(failures),
    }
    print(
        f"  {name:<22} {row['requests']:>6} ok  {row['throughput']:7.1f} req/s  "
        f"p50 {row['p50']:7.1f} ms  p95 {row['p95']:7.1f} ms  p99 {row['p99']:7.1f} ms  "
        f"failed {row['failures']}"
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--users", type=int, default=50)
    options = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="infuse-load-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INFUSE_", "DJANGO_"))}
    env |= {"INFUSE_VAR_DIR": str(var), "INFUSE_RATE_LIMITS": "1"}
    print(f"load_pages: {options.users} users for {options.seconds:g} s per run; demo in {var}")
    _run(env, "migrate", "--no-input")
    _run(env, "demo")
    token = (
        _run(
            env,
            "shell",
            "-c",
            "from infuse.core import services; from infuse.core.models import Person; "
            f"print(services.create_api_token(actor=Person.objects.get(email='{ANALYST}'), "
            "name='load').secret)",
        )
        .strip()
        .splitlines()[-1]
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*INFUSE, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        signed_in = _sign_in(base)
        _users(base, 4, 2.0, signed_in)  # warm every worker up
        quiet = _summary(
            "pages alone", *_users(base, options.users, options.seconds, signed_in), options.seconds
        )
        stop, outcomes = threading.Event(), list[str]()
        attackers = [
            threading.Thread(target=_hostile, args=(base, token, stop, outcomes)) for _ in range(2)
        ]
        for attacker in attackers:
            attacker.start()
        time.sleep(1.0)
        loaded = _summary(
            "pages + hostile SQL",
            *_users(base, options.users, options.seconds, signed_in),
            options.seconds,
        )
        stop.set()
        for attacker in attackers:
            attacker.join()
        print(f"  hostile queries answered: {len(outcomes)}: {sorted(set(outcomes))}")
        throughput = loaded["throughput"] / quiet["throughput"]
        p99 = loaded["p99"] / quiet["p99"]
        print(f"  ratio with / without hostile SQL: throughput {throughput:.2f}x, p99 {p99:.2f}x")
    finally:
        server.terminate()
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
