"""Issue 12's bounded load test: 50 concurrent readers and 5 writers on loopback for ``DURATION`` seconds.

Starts ``blocwatch serve`` on a fresh database (SQLite in a temporary folder, or ``--db URL`` — e.g. a
PostgreSQL server — with ``--workers N``), adds five editor accounts, then runs at once:

* 50 readers, each looping over dashboard pages and their JSON (events, states, votes, the series, search);
* 5 writers, each signed in with its own account and CSRF token, correcting the lists of two shared events:
  read the event's version, add or take off a state, save with that version; a save that lost the race gets
  409 (expected: optimistic locking) and is retried from a fresh read.

Targets: zero errors (no 5xx, no refused connection, no timeout) and zero lost writes — every save that was
answered 200 is in the event's audit history, and each event's version rose by exactly the number of such
saves. Prints the figures recorded in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

READERS, WRITERS = 50, 5
DURATION = 30.0
PASSWORD = "load test password"
EVENTS = ("ga77-critical", "ga78-critical")
STATES = ("ISL", "MLT", "SMR", "AND", "MCO", "LIE", "CPV", "URY")
READ_PATHS = ("/", "/api/home", "/series/xinjiang", "/api/series/xinjiang", "/events/ga78-critical",
              "/api/events/ga78-critical", "/states/CHN", "/api/states/CHN", "/votes/A/RES/ES-11/1",
              "/api/votes/A/RES/ES-11/1", "/search?q=Xinjiang", "/events/ga77-critical")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_up(base: str, timeout: float = 120.0) -> None:
    start = time.perf_counter()
    async with httpx.AsyncClient() as client:
        while time.perf_counter() - start < timeout:
            try:
                if (await client.get(f"{base}/api/home", timeout=5)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    raise SystemExit("the server did not come up")


async def reader(base: str, stop: float, latencies: list[float], errors: list[str]) -> int:
    done = 0
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        while time.perf_counter() < stop:
            path = random.choice(READ_PATHS)
            start = time.perf_counter()
            try:
                r = await client.get(path)
                if r.status_code >= 500 or r.status_code not in (200, 304):
                    errors.append(f"GET {path}: {r.status_code}")
            except httpx.HTTPError as exc:
                errors.append(f"GET {path}: {type(exc).__name__}")
            latencies.append(time.perf_counter() - start)
            done += 1
    return done


async def writer(base: str, name: str, stop: float, saved: dict[str, int], conflicts: list[int],
                 errors: list[str]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        r = await client.post("/api/login", json={"username": name, "password": PASSWORD})
        if r.status_code != 200:
            errors.append(f"login {name}: {r.status_code} {r.text[:200]}")
            return
        headers = {"X-CSRF-Token": r.json()["csrf_token"]}
        while time.perf_counter() < stop:
            event = random.choice(EVENTS)
            try:
                history = await client.get(f"/api/events/{event}/history")
                version = history.json()["version"]
                shown = await client.get(f"/api/events/{event}")
                named = set(shown.json().get("signatories", [])) if shown.status_code == 200 \
                    else set()
                state = random.choice(STATES)
                change = {"remove": [state]} if state in named else {"add": [state]}
                r = await client.post(f"/api/events/{event}/signers", headers=headers,
                                      json={"version": version, **change, "source": "https://example.org/load",
                                            "note": f"load test by {name}"})
            except httpx.HTTPError as exc:
                errors.append(f"{name}: {type(exc).__name__}")
                continue
            if r.status_code == 200:
                saved[event] += 1
            elif r.status_code == 409 or (r.status_code == 400 and "nothing was saved" in r.text):
                conflicts.append(1)  # lost the race (409), or the list read had moved on since (refused, 400)
            else:
                errors.append(f"POST signers {event}: {r.status_code} {r.text[:200]}")


async def run(base: str) -> dict:
    async with httpx.AsyncClient(base_url=base) as client:
        before = {e: (await client.get(f"/api/events/{e}/history")).json() for e in EVENTS}
    latencies: list[float] = []
    errors: list[str] = []
    conflicts: list[int] = []
    saved = dict.fromkeys(EVENTS, 0)
    stop = time.perf_counter() + DURATION
    reads = await asyncio.gather(*(reader(base, stop, latencies, errors) for _ in range(READERS)),
                                 *(writer(base, f"writer{i}", stop, saved, conflicts, errors) for i in range(WRITERS)))
    async with httpx.AsyncClient(base_url=base) as client:
        after = {e: (await client.get(f"/api/events/{e}/history")).json() for e in EVENTS}
    lost = 0
    for e in EVENTS:
        gained = after[e]["version"] - before[e]["version"]
        entries = len(after[e]["entries"]) - len(before[e]["entries"])
        lost += abs(saved[e] - gained) + abs(saved[e] - entries)
    latencies.sort()
    return {"reads": sum(r for r in reads if r), "writes": sum(saved.values()), "conflicts": len(conflicts),
            "errors": errors, "lost": lost, "p50": statistics.median(latencies) if latencies else None,
            "p95": latencies[int(len(latencies) * 0.95)] if latencies else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file in a temporary folder)")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    db = args.db or str(Path(tempfile.mkdtemp(prefix="blocwatch-load-")) / "load.sqlite3")
    cli = [sys.executable, "-m", "blocwatch", "--db", db]
    for i in range(WRITERS):
        subprocess.run([*cli, "users", "add", f"writer{i}", "--role", "editor", "--password-stdin"],
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([*cli, "serve", "--port", str(port), "--workers", str(args.workers)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(wait_up(base))
        print(f"load average {os.getloadavg()[0]:.2f}; {READERS} readers, {WRITERS} writers, {DURATION:.0f} s, "
              f"{args.workers} server process(es), {'PostgreSQL' if db.startswith('postgres') else 'SQLite'}")
        result = asyncio.run(run(base))
    finally:
        os.killpg(server.pid, 15)  # requests still being answered are given 10 s
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait(timeout=10)
    print(f"reads: {result['reads']} ({result['reads'] / DURATION:.0f}/s), p50 {result['p50'] * 1000:.0f} ms, "
          f"p95 {result['p95'] * 1000:.0f} ms")
    print(f"writes saved: {result['writes']}, refused and retried (409 stale version, or 400 for a list that had "
          f"changed since it was read): {result['conflicts']}, "
          f"lost writes: {result['lost']}")
    print(f"errors: {len(result['errors'])}" + (f" (first: {result['errors'][:3]})" if result["errors"] else ""))
    if result["errors"] or result["lost"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
