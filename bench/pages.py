"""Pages at 50 concurrent users: each public page and three signed-in pages against a bare Django
view served the same way.

Two real servers run side by side on loopback: ``infuse serve`` over a fresh demo region, and
``bench/hello_site.py`` (one view returning "Hello", no middleware) under gunicorn with the
same worker class, workers, threads and access log. One page at a time, 50 users (coroutines,
each on its own keep-alive connection, so the load generator stays light next to the servers)
ask for it as fast as they are answered for a few seconds; the hello view is measured before
and after the pages and its mean is the baseline. Printed per page: requests per second as a
share of hello's, and p50/p95/p99 latency with p99 as a multiple of hello's. Then the resident
memory of each InFuSe web worker after warm-up and after the load.

Public pages are answered from the copy kept for everyone, signed-in ones from the copy kept
for each person's session (``infuse/core/page_cache.py``): 50 users over ten sessions, while
nothing is written, which is how pages are read between changes; a write anywhere costs each
session one render of each page it reads next.

The issue's targets: every public page at least 30% of hello's throughput with p99 at most 5x
hello's; signed-in pages at least 20%; a web worker at most 150 MB. Never asserts them.

Usage: .venv/bin/python bench/pages.py [--seconds 5] [--users 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from load_pages import INFUSE, _free_port, _run, _sign_in

PUBLIC = [
    "/",
    "/cy/",
    "/data/",
    "/data/indicators/low-birth-weight/",
    "/cy/data/indicators/low-birth-weight/",
    "/experiments/",
    "/procurement/",
    "/fund/",
    "/api/v1/councils",
]
SIGNED_IN = ["/", "/data/", "/experiments/"]
#: Signed-in users are spread over this many sessions (each signed in on its own): pages are
#: kept per person and session, so one shared session would flatter them.
SESSIONS = 10


async def _user(port: int, path: str, cookie: str, stop: float, latencies: list[float]) -> int:
    """One user asking for ``path`` until ``stop``; the number of answers that were not 200."""
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/html\r\n"
        + (f"Cookie: {cookie}\r\n" if cookie else "")
        + "\r\n"
    ).encode()
    failures = 0
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while time.monotonic() < stop:
        started = time.perf_counter()
        try:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()  # the server closed a kept-alive connection: open another
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            continue
        lines = head.decode("latin-1").split("\r\n")
        await _body(reader, lines)
        latencies.append(time.perf_counter() - started)
        failures += " 200 " not in lines[0] + " "
    writer.close()
    return failures


async def _body(reader: asyncio.StreamReader, lines: list[str]) -> None:
    """Read the body of an answer with these head lines (a length, or chunks)."""
    headers = {
        name.strip().lower(): value.strip()
        for name, value in (line.split(":", 1) for line in lines[1:] if ":" in line)
    }
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
        return
    while size := int((await reader.readline()).strip(), 16):
        await reader.readexactly(size + 2)
    await reader.readline()


def _session(port: int) -> str:
    """A signed-in session's cookie (the demo analyst signs in again for each)."""
    opener = _sign_in(f"http://127.0.0.1:{port}")
    jar = next(h for h in opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor))
    return next(f"sessionid={c.value}" for c in jar.cookiejar if c.name == "sessionid")


async def _load(
    port: int, path: str, cookies: list[str], users: int, seconds: float
) -> dict[str, float]:
    latencies: list[float] = []
    stop = time.monotonic() + seconds
    failures = await asyncio.gather(
        *(_user(port, path, cookies[n % len(cookies)], stop, latencies) for n in range(users))
    )
    ordered = sorted(latencies)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {
        "rps": len(ordered) / seconds,
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "failed": float(sum(failures)),
    }


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _worker_rss(server: subprocess.Popen[bytes]) -> list[float]:
    """Resident MB of each gunicorn worker (the processes with no children of their own)."""
    sizes = []
    for pid in _descendants(server.pid):
        if _descendants(pid):
            continue
        status = Path(f"/proc/{pid}/status").read_text()
        rss = next(line for line in status.splitlines() if line.startswith("VmRSS"))
        sizes.append(int(rss.split()[1]) / 1024)
    return sorted(sizes)


def _wait(port: int) -> None:
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answered on port {port}")


def _row(name: str, found: dict[str, float], hello: dict[str, float]) -> None:
    share = found["rps"] / hello["rps"]
    print(
        f"  {name:<44} {found['rps']:7.0f} req/s {share:6.1%}  p50 {found['p50']:6.1f}  "
        f"p95 {found['p95']:6.1f}  p99 {found['p99']:6.1f} ms ({found['p99'] / hello['p99']:4.1f}x)"
        + (f"  failed {found['failed']:.0f}" if found["failed"] else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--users", type=int, default=50)
    options = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="infuse-pages-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INFUSE_", "DJANGO_"))}
    env |= {"INFUSE_VAR_DIR": str(var)}
    _run(env, "migrate", "--no-input")
    _run(env, "demo")
    port, hello_port = _free_port(), _free_port()
    workers = ["--workers", "2", "--threads", "4"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    server = subprocess.Popen(
        [*INFUSE, "serve", "--bind", f"127.0.0.1:{port}", *workers], env=env, **quiet
    )
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    hello_server = subprocess.Popen(
        [
            *(gunicorn, "hello_site:application", "--worker-class", "gthread", *workers),
            *("--bind", f"127.0.0.1:{hello_port}", "--access-logfile", "-"),
        ],
        cwd=Path(__file__).parent,
        **quiet,
    )
    try:
        _wait(port)
        _wait(hello_port)
        sessions = [_session(port) for _ in range(SESSIONS)]
        warm = _worker_rss(server)

        def run(at: int, path: str, cookies: list[str] | None = None) -> dict[str, float]:
            return asyncio.run(_load(at, path, cookies or [""], options.users, options.seconds))

        before = run(hello_port, "/")
        pages = {f"public {path}": run(port, path) for path in PUBLIC}
        pages |= {f"signed in {path}": run(port, path, sessions) for path in SIGNED_IN}
        after = run(hello_port, "/")
        hello = {k: (before[k] + after[k]) / 2 for k in before}
        print(
            f"pages: {options.users} users, {options.seconds:g} s per page, 2 gthread workers x 4 "
            f"threads (load average {os.getloadavg()[0]:.1f})"
        )
        print(
            f"  {'bare Django view (hello)':<44} {hello['rps']:7.0f} req/s {1:6.1%}  "
            f"p50 {hello['p50']:6.1f}  p95 {hello['p95']:6.1f}  p99 {hello['p99']:6.1f} ms"
        )
        for name, found in pages.items():
            _row(name, found, hello)
        rss = ", ".join(f"{mb:.0f}" for mb in warm)
        loaded = ", ".join(f"{mb:.0f}" for mb in _worker_rss(server))
        print(f"  web worker RSS (MB): after warm-up {rss}; after the load {loaded}")
    finally:
        for process in (server, hello_server):
            process.terminate()
            process.wait(timeout=60)


if __name__ == "__main__":
    main()
