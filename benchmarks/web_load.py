"""The dashboard under load (issue 10 targets), with a real load generator: locust, headless.

Targets: the event, state and vote pages and their ``/api`` twins answer with
p95 ≤ 50 ms and no error, 20 concurrent clients for 30 s on loopback, on the
bundled data; the home page's first render in the browser ≤ 1 s.

What it does, in order:

1. builds a fresh database with every bundled loader in a temporary folder
   (never the user's), and picks what the clients ask for from it: every
   event, every member and observer state, and a fixed sample of the recorded votes since
   2019 in both forums (the ones with a symbol);
2. starts ``blocwatch serve`` on it (its own process group, a free port) and
   waits for ``/``; then, unless ``--cold``, waits for the states' GA numbers
   (computed once per server in the background) and asks every path once —
   which checks that each answers 200 and fills the server's response cache,
   so the run measures a warm server; ``--cold`` measures one whose every
   first render falls inside the run;
3. the home page's first render in Debian's chromium, if installed
   (Playwright; the first-contentful-paint of a fresh browser context, 1
   cold + ``RENDERS`` warm loads);
4. ``locust --headless -u 20 -r 20 -t 30s`` with this file as the locustfile
   (each client asks a random page or ``/api`` twin, with no pause between
   requests unless ``--think SECONDS``), and prints p50/p95/p99 and
   requests/s per route and overall from locust's CSV, with the load
   average (the load generator shares the machine's cores with the server);
5. stops the server, always.

``python benchmarks/web_load.py [--users 20] [--time 30s] [--think 0] [--cold] [--only ROUTE ...]``
(``--only /api/home /`` tests the harness on the skeleton's routes).
Exit status 1 if any request failed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve()
CHROMIUM = Path("/usr/bin/chromium")
VOTES_SAMPLE = 60
RENDERS = 5
TARGET_P95_MS = 50
TARGET_RENDER_S = 1.0


def routes(db: Path) -> dict[str, list[str]]:
    """Every route the clients ask, by locust name (``/events/{id}``), with its concrete paths."""
    import blocwatch

    bw = blocwatch.open(str(db))
    try:
        events = [e.id for e in bw.events.list()]
        states = [c.iso3 for c in bw.countries.list()]
        hits = bw.votes.search(date_from="2019-01-01", limit=None).to_json()["hits"]
    finally:
        bw.close()
    symbols = sorted({h["symbol"] for h in hits if h.get("symbol")})
    votes = random.Random(10).sample(symbols, min(VOTES_SAMPLE, len(symbols)))
    out: dict[str, list[str]] = {}
    for kind, keys in (("events", events), ("states", states), ("votes", votes)):
        paths = [f"/{kind}/{quote(k, safe='/')}" for k in keys]
        out[f"/{kind}/{{{kind[:-1]}}}"] = paths
        out[f"/api/{kind}/{{{kind[:-1]}}}"] = ["/api" + p for p in paths]
    out["/"] = ["/"]
    out["/api/home"] = ["/api/home"]
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def first_render(base: str) -> list[float] | None:
    """First-contentful-paint of the home page, in seconds, in fresh browser contexts (the first cold)."""
    if not CHROMIUM.exists():
        print("home page first render: skipped (no /usr/bin/chromium; apt-get install -y chromium)")
        return None
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox", "--disable-background-networking"])
        try:
            for _ in range(1 + RENDERS):
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                page.goto(base + "/", wait_until="load")
                fcp = page.evaluate("""() => new Promise(done => {
                    const find = () => performance.getEntriesByName('first-contentful-paint')[0];
                    if (find()) return done(find().startTime);
                    new PerformanceObserver(() => find() && done(find().startTime))
                        .observe({type: 'paint', buffered: true});
                })""")
                out.append(fcp / 1000)
                context.close()
        finally:
            browser.close()
    return out


def report(prefix: Path) -> bool:
    """Print locust's per-route stats; True if no request failed."""
    rows = list(csv.DictReader(Path(f"{prefix}_stats.csv").read_text(encoding="utf-8").splitlines()))
    ok = True
    print(f"{'route':<22} {'requests':>9} {'failed':>7} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  p95 ≤ "
          f"{TARGET_P95_MS} ms")
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        name = "overall" if row["Name"] == "Aggregated" else row["Name"]
        failed = int(row["Failure Count"])
        ok = ok and failed == 0
        p95 = float(row["95%"])
        print(f"{name:<22} {int(row['Request Count']):>9} {failed:>7} {float(row['Requests/s']):>8.1f} "
              f"{float(row['50%']):>7.0f} {p95:>7.0f} {float(row['99%']):>7.0f}  "
              f"{'met' if p95 <= TARGET_P95_MS else 'NOT met'}")
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        for row in list(csv.DictReader(failures.read_text(encoding="utf-8").splitlines()))[:20]:
            print(f"  failure: {row['Name']}: {row['Error']} ({row['Occurrences']}×)")
    return ok


@contextmanager
def serving(db: Path, workdir: Path) -> Iterator[str]:
    """``blocwatch serve`` on ``db`` (its own process group, a free port) until the block ends; yields its URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = workdir / "serve.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "blocwatch", "--db", str(db), "serve", "--port", str(port)],
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not _answers(base + "/"):
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(log_path.read_text(errors="replace") + "\nblocwatch serve did not answer 200 on / "
                                 "(its log is above)")
            time.sleep(0.2)
        yield base
        if server.poll() is not None:
            raise SystemExit(log_path.read_text(errors="replace") + "\nblocwatch serve died during the run")
    finally:
        # Always stop the server: its whole process group, politely, then not.
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _answers(url: str) -> bool:
    try:
        return status(url) == 200
    except OSError:
        return False


def wait_state_ga(base: str, iso3: str = "CHN") -> None:
    """Wait for the states' GA numbers, computed once per server in the background on the first state page."""
    start = time.perf_counter()
    while True:
        with urllib.request.urlopen(f"{base}/api/states/{iso3}/ga", timeout=120) as r:
            if json.load(r)["status"] != "computing":
                break
        if time.perf_counter() - start > 180:
            raise SystemExit("the states' GA numbers were still computing after 180 s")
        time.sleep(0.5)
    print(f"states' GA numbers (ideal points, agreement) computed in {time.perf_counter() - start:.1f} s")


def warm_up(base: str, chosen: dict[str, list[str]]) -> list[tuple[str, int]]:
    """Ask every path once, one at a time (its first, uncached render); print the times per route; the non-200s."""
    bad = []
    print(f"first render of each path, one at a time: {'route':<22} {'paths':>6} {'median ms':>10} {'max ms':>8}")
    for name, paths in chosen.items():
        times = []
        for path in paths:
            start = time.perf_counter()
            code = status(base + path)
            times.append((time.perf_counter() - start) * 1000)
            if code != 200:
                bad.append((path, code))
        print(f"{'':<42} {name:<22} {len(paths):>6} {statistics.median(times):>10.0f} {max(times):>8.0f}")
    return bad


def print_render(base: str) -> None:
    renders = first_render(base)
    if renders:
        cold, warm = renders[0], renders[1:]
        print(f"home page first render (first-contentful-paint, chromium, 1280 px): cold {cold:.3f} s, "
              f"warm median {statistics.median(warm):.3f} s (best {min(warm):.3f} s); "
              f"≤ {TARGET_RENDER_S} s: {'met' if max(renders) <= TARGET_RENDER_S else 'NOT met'}")


def load(base: str, chosen: dict[str, list[str]], args: argparse.Namespace, prefix: Path) -> bool:
    """Run locust against ``base``; print its per-route table; True if no request failed."""
    env = {**os.environ, "BLOCWATCH_LOAD_ROUTES": json.dumps(chosen), "BLOCWATCH_LOAD_THINK": str(args.think)}
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"locust: {args.users} clients, {args.time}, pause between requests "
          f"{'none' if args.think <= 0 else f'{args.think} s on average'}", flush=True)
    run = subprocess.run([sys.executable, "-m", "locust", "-f", str(HERE), "--headless", "-u", str(args.users),
                          "-r", str(args.users), "-t", args.time, "--host", base, "--csv", str(prefix),
                          "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
                         env=env, capture_output=True, text=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if not Path(f"{prefix}_stats.csv").exists():
        print(run.stdout[-3000:], run.stderr[-3000:])
        print(f"locust failed (exit {run.returncode})")
        return False
    return report(prefix)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--time", default="30s")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean pause between one client's requests, in seconds (default 0: none)")
    parser.add_argument("--cold", action="store_true",
                        help="no warm-up: the server's caches start empty (default: every path asked once first)")
    parser.add_argument("--only", nargs="*", default=None, help="only the routes named (locust names, e.g. /api/home)")
    args = parser.parse_args(argv)

    import blocwatch

    workdir = Path(tempfile.mkdtemp(prefix="blocwatch-bench-web-"))
    db = workdir / "web.sqlite3"
    start = time.perf_counter()
    blocwatch.open(str(db)).engine.dispose()
    print(f"first fill of a new database: {time.perf_counter() - start:.1f} s")
    chosen = routes(db)
    if args.only is not None:
        chosen = {k: v for k, v in chosen.items() if k in args.only}
    print("routes: " + ", ".join(f"{k} ({len(v)} paths)" for k, v in chosen.items()))

    with serving(db, workdir) as base:
        bad: list[tuple[str, int]] = []
        if args.cold:
            print("cold: no warm-up; each path's first render (and the states' GA computation) happens in the run")
        else:
            wait_state_ga(base)
            bad = warm_up(base, chosen)
        if bad:
            print(f"warm-up: {len(bad)} paths do not answer 200, e.g. "
                  + ", ".join(f"{p} ({s})" for p, s in bad[:8]))
        if args.only is None or "/" in args.only:
            print_render(base)
        ok = load(base, chosen, args, workdir / "locust")
    return 0 if ok and not bad else 1


# Locust imports this file to find its users (``locust -f benchmarks/web_load.py``); the runner below
# never imports locust (its gevent monkey-patching would change the process it measures from).
if __name__ != "__main__":
    from locust import FastHttpUser, between, constant, task

    class DashboardClient(FastHttpUser):
        """One client (geventhttpclient: cheaper than requests, so the generator takes less CPU from the server):
        a random page or ``/api`` twin each time; requests grouped by route in the stats."""

        _think = float(os.environ.get("BLOCWATCH_LOAD_THINK", "0"))
        wait_time = constant(0) if _think <= 0 else between(_think / 2, _think * 1.5)
        _routes: dict[str, list[str]] = json.loads(os.environ.get("BLOCWATCH_LOAD_ROUTES", "{}"))
        _names = sorted(_routes)

        @task
        def ask(self) -> None:
            name = random.choice(self._names)
            path = random.choice(self._routes[name])
            with self.client.get(path, name=name, catch_response=True, allow_redirects=True) as response:
                if response.status_code != 200:
                    response.failure(f"HTTP {response.status_code}")
                elif not response.content:
                    response.failure("empty body")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
