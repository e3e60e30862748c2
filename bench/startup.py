"""Start-up: how long a command, the web application and its first page take from a cold process.

Every figure is a whole process (interpreter start, imports, Django set-up), measured in
interleaved rounds so that a noisy machine slows all of them alike; the median of the rounds is
printed with ratios against baselines from the same run:

- ``django-admin --version``: Python and Django alone (the floor no command can beat);
- ``infuse shell -c pass``: the platform set up with nothing to do (the issue's baseline for
  ``infuse data --help``, which should cost at most 1.5× it);
- the first and the tenth request of a fresh web process (the home page, through Django's test
  client on a migrated database): what a worker without a warm-up would make its first visitor
  wait;
- the first and the tenth request to ``infuse serve --workers 1`` over loopback, once its
  worker says it is warm, as the client saw them (a new connection each) and as the worker
  logged them (gunicorn's request time): the issue's target is the first at most 1.5× the
  tenth. The client is warmed on a throwaway server first, so urllib's own first call is not
  counted.

Usage: .venv/bin/python bench/startup.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent
INFUSE = [sys.executable, "-m", "infuse.cli"]

FIRST_AND_TENTH = """
import json, os, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "infuse.settings")
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="localhost")
times = []
for _ in range(10):
    started = time.perf_counter()
    response = client.get("/")
    times.append(time.perf_counter() - started)
    assert response.status_code == 200, response.status_code
print(json.dumps({"first": times[0], "tenth": times[9]}))
"""


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _warm_the_client() -> None:
    """One request to a throwaway server in this process first: urllib's own first request
    (its imports, building its opener, reading the proxy settings) takes 4-30 ms, which would
    be counted as the server's first request."""

    class Quiet(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with http.server.HTTPServer(("127.0.0.1", 0), Quiet) as throwaway:
        serving = threading.Thread(target=throwaway.handle_request)
        serving.start()
        with urllib.request.urlopen(f"http://127.0.0.1:{throwaway.server_port}/") as answer:
            answer.read()
        serving.join()


#: Gunicorn's access log line for the timed requests: the request and the microseconds the
#: worker took over it (from reading the request to the end of the answer).
ACCESS_FORMAT = "timed %(r)s %(D)s"
TIMED = re.compile(r"timed GET /\?n=(\d+) HTTP/1\.1 (\d+)")


def _served_first_and_tenth(
    env: dict[str, str], log: Path
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Start the real server with one worker, wait until it is warm, time ten GET /: as the
    client saw them (connection included) and as the worker logged them; seconds."""
    port = _free_port()
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*INFUSE, "serve", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
            env={**env, "GUNICORN_CMD_ARGS": f"--access-logformat '{ACCESS_FORMAT}'"},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while "warmed up in" not in log.read_text():
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not warm up within 60 s:\n" + log.read_text())
                time.sleep(0.05)
            _warm_the_client()
            times = []
            # A query of its own each time: every request is rendered (a kept public page
            # would make the tenth a copy, measuring the page cache, not the worker's warmth).
            for number in range(10):
                started = time.perf_counter()
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/?n={number}") as answer:
                    answer.read()
                times.append(time.perf_counter() - started)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
    logged = {int(n): int(us) / 1e6 for n, us in TIMED.findall(log.read_text())}
    return (times[0], times[9]), (logged[0], logged[9])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as var:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("INFUSE_", "DJANGO_"))}
        env["INFUSE_VAR_DIR"] = var
        subprocess.run([*INFUSE, "migrate", "--no-input"], env=env, check=True, capture_output=True)
        commands = {
            "django-admin --version": [str(BIN / "django-admin"), "--version"],
            "infuse --help": [*INFUSE, "--help"],
            "infuse shell -c pass": [*INFUSE, "shell", "-c", "pass"],
            "infuse data --help": [*INFUSE, "data", "--help"],
            "infuse trials --help": [*INFUSE, "trials", "--help"],
            "web process to first page": [sys.executable, "-c", FIRST_AND_TENTH],
        }
        seconds: dict[str, list[float]] = {name: [] for name in commands}
        first: list[float] = []
        tenth: list[float] = []
        served: dict[str, list[float]] = {"first": [], "tenth": [], "first in": [], "tenth in": []}
        for _ in range(rounds):
            seen, logged = _served_first_and_tenth(env, Path(var) / "serve.log")
            served["first"].append(seen[0])
            served["tenth"].append(seen[1])
            served["first in"].append(logged[0])
            served["tenth in"].append(logged[1])
            for name, command in commands.items():
                took, out = _timed(command, env)
                seconds[name].append(took)
                if name == "web process to first page":
                    requests = json.loads(out.strip().splitlines()[-1])
                    first.append(requests["first"])
                    tenth.append(requests["tenth"])
    median = {name: statistics.median(values) for name, values in seconds.items()}
    print(f"startup: whole processes, median of {rounds} interleaved rounds")
    for name, value in median.items():
        print(f"  {name:<28} {value * 1000:8.0f} ms")
    first_ms, tenth_ms = statistics.median(first) * 1000, statistics.median(tenth) * 1000
    print(f"  {'first request (in process)':<28} {first_ms:8.1f} ms")
    print(f"  {'tenth request (in process)':<28} {tenth_ms:8.1f} ms")
    at = {name: statistics.median(values) * 1000 for name, values in served.items()}
    for which in ("first", "tenth"):
        label = f"served: {which} request"
        print(f"  {label:<28} {at[which]:8.1f} ms   (in the worker {at[which + ' in']:.1f})")
    shell = median["infuse shell -c pass"]
    print(f"  ratio data --help / shell -c pass   {median['infuse data --help'] / shell:6.2f}x")
    print(f"  ratio trials --help / shell -c pass {median['infuse trials --help'] / shell:6.2f}x")
    floor = median["django-admin --version"]
    print(f"  ratio shell -c pass / django-admin  {shell / floor:6.2f}x")
    print(f"  ratio first / tenth (no warm-up)    {first_ms / tenth_ms:6.2f}x")
    print(f"  ratio first / tenth (served, warm)  {at['first'] / at['tenth']:6.2f}x")
    print(f"  ratio first / tenth (in the worker) {at['first in'] / at['tenth in']:6.2f}x")


if __name__ == "__main__":
    main()
