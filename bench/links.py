"""Tracked-link redirects per second on one core: ``/l/<code>`` counting every click.

    .venv/bin/python bench/links.py [--seconds 10] [--links 200] [--clients 4] [--bots 0.2]
        [--mode http,wsgi] [--threads 8]

Two measurements, with the production settings (``HARKEN_DEBUG`` off, every middleware):

- ``http``: ``harken serve``'s server (waitress with ``--threads``, 8 as ``harken serve``
  has them) on 127.0.0.1 in its own process pinned to one CPU core, trusting 127.0.0.1 as a proxy as
  ``HARKEN_TRUSTED_PROXY=127.0.0.1`` does, so each request's ``X-Forwarded-For`` is its
  clicker's address. ``--clients`` client processes (pinned to the other cores where
  there are any) each keep one keep-alive connection and send requests back to back.
- ``wsgi``: Django's WSGI handler called in this process with a request's environ, as
  waitress calls it, without the network: the application's own cost.

Each request clicks one of ``--links`` links of a pledging campaign (its cap high enough
that pledging never stops) from one of 50,000 addresses, a ``--bots`` share of them with
a preview bot's User-Agent; so the mix holds unique clicks that pledge, repeats of the day
and bots. Printed: redirects per second of wall time, and per CPU second of the server
(the figure for one core, whatever else the machine is doing), the latency median and
p99 (http), and checks: every answer a 302, one Click per request, the pledged total
equal to the pledged clicks.

Database: SQLite in a temporary folder by default; ``DATABASE_URL`` for PostgreSQL, a
database of its own (``createdb bench_links``) that the bench empties of its workspace.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SLUG = "bench-links"
ADDRESSES = 50_000
BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
BOT = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"


def main() -> None:
    args = _arguments()
    if args.serve:
        _serve(args.serve, args.threads)
        return
    data = Path(tempfile.mkdtemp(prefix="bench-links-"))
    os.environ.setdefault("HARKEN_DATA_DIR", str(data))
    os.environ["HARKEN_ALLOWED_HOSTS"] = "127.0.0.1,testserver"
    os.environ["HARKEN_TRUSTED_PROXY"] = "127.0.0.1"
    os.environ.pop("HARKEN_DEBUG", None)
    _setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    codes = _links(args.links)
    print(f"bench/links.py: {args.links} links, {args.bots:.0%} bots, {args.seconds:g} s a mode")
    print(f"  machine: {_machine()}")
    print(f"  database: {_database_label(connection)}")
    connection.close()
    for mode in args.mode:
        before = _totals()
        sent, seconds, cpu, latencies, statuses = (
            _http(codes, args) if mode == "http" else _wsgi(codes, args)
        )
        _report(mode, sent, seconds, cpu, latencies, statuses, before)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--links", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--bots", type=float, default=0.2)
    parser.add_argument("--mode", type=lambda text: text.split(","), default=["http", "wsgi"])
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (serve's 8)")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # the server process
    return parser.parse_args()


def _setup() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "harken.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _links(count: int) -> list[str]:
    from harken.core.models import Workspace
    from harken.publishing.links.tracking import create_link
    from harken.publishing.models import Campaign

    Workspace.objects.filter(slug=SLUG).delete()
    workspace = Workspace.objects.create(name="Bench links", slug=SLUG)
    campaign = Campaign.objects.create(
        workspace=workspace, name="Bench", slug="bench", pledge_cents=100, cap_cents=10**12
    )
    networks = ["bluesky", "mastodon", "x", "reddit"]
    return [
        create_link(
            f"https://harbor.example/rings/{n}?ref=bench",
            workspace=workspace,
            network=networks[n % len(networks)],
            campaign=campaign,
        ).code
        for n in range(count)
    ]


def _requests(codes: list[str], bots: float, seed: int) -> list[tuple[str, str, str]]:
    """(path, address, user agent) of 20,000 requests, cycled through by a client."""
    pick = random.Random(seed)
    return [
        (
            f"/l/{pick.choice(codes)}",
            f"10.{pick.randrange(ADDRESSES) // 250}.{pick.randrange(250)}.{pick.randrange(1, 250)}",
            BOT if pick.random() < bots else BROWSER,
        )
        for _ in range(20_000)
    ]


# http: waitress in its own process on one core --------------------------------------


def _serve(port: int, threads: int) -> None:
    os.sched_setaffinity(0, {0})
    _setup()
    from django.conf import settings
    from waitress import create_server

    from harken.wsgi import application

    server = create_server(
        application,
        host="127.0.0.1",
        port=port,
        threads=threads,
        ident="Harken",
        trusted_proxy=settings.TRUSTED_PROXY,
        trusted_proxy_headers=settings.TRUSTED_PROXY_HEADERS,
        clear_untrusted_proxy_headers=True,
    )
    server.run()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _http(codes: list[str], args: argparse.Namespace) -> tuple[Any, ...]:
    port = _free_port()
    command = [sys.executable, __file__, "--serve", str(port), "--threads", str(args.threads)]
    server = subprocess.Popen(command, env=os.environ)
    try:
        _wait_for(port)
        _client((port, [("/l/" + codes[0], "10.255.0.1", BROWSER)] * 50, 0.0))  # warm up
        cpu_before = _cpu_seconds(server.pid)
        started = time.perf_counter()
        jobs = [
            (port, _requests(codes, args.bots, seed), args.seconds) for seed in range(args.clients)
        ]
        with multiprocessing.get_context("spawn").Pool(args.clients) as pool:
            results = pool.map(_client, jobs)
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds(server.pid) - cpu_before
    finally:
        server.terminate()
        server.wait(10)
    latencies = [ms for result in results for ms in result[0]]
    statuses: dict[int, int] = {}
    for result in results:
        for status, n in result[1].items():
            statuses[status] = statuses.get(status, 0) + n
    return len(latencies), seconds, cpu, latencies, statuses


def _wait_for(port: int) -> None:
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def _client(job: tuple[int, list[tuple[str, str, str]], float]) -> tuple[list[float], dict]:
    """Send requests back to back on one keep-alive connection for ``seconds`` (or each
    request once when 0); their latencies in ms and status counts."""
    port, requests, seconds = job
    cores = os.sched_getaffinity(0) - {0}
    if cores:
        os.sched_setaffinity(0, cores)  # leave the server's core to the server
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds
    for n in range(10**9):
        path, address, agent = requests[n % len(requests)]
        begun = time.perf_counter()
        connection.request("GET", path, headers={"User-Agent": agent, "X-Forwarded-For": address})
        response = connection.getresponse()
        response.read()
        now = time.perf_counter()
        latencies.append((now - begun) * 1000)
        statuses[response.status] = statuses.get(response.status, 0) + 1
        if (seconds and now >= deadline) or (not seconds and n + 1 == len(requests)):
            break
    connection.close()
    return latencies, statuses


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# wsgi: the handler called in this process ---------------------------------------------


def _wsgi(codes: list[str], args: argparse.Namespace) -> tuple[Any, ...]:
    from io import BytesIO

    from django.core.handlers.wsgi import WSGIHandler

    os.sched_setaffinity(0, {0})
    handler = WSGIHandler()
    requests = _requests(codes, args.bots, seed=99)
    statuses: dict[int, int] = {}

    def start_response(status: str, headers: list, exc_info: Any = None) -> None:
        code = int(status.split(" ", 1)[0])
        statuses[code] = statuses.get(code, 0) + 1

    def call(path: str, address: str, agent: str) -> None:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": address,
            "HTTP_HOST": "127.0.0.1",
            "HTTP_USER_AGENT": agent,
            "wsgi.url_scheme": "http",
            "wsgi.input": BytesIO(),
            "wsgi.errors": sys.stderr,
        }
        body = handler(environ, start_response)
        for _ in body:
            pass
        body.close()  # closes the request's connection, as waitress does

    for request in requests[:50]:  # warm up
        call(*request)
    statuses.clear()
    cpu_before, started, sent = time.process_time(), time.perf_counter(), 0
    while time.perf_counter() - started < args.seconds:
        call(*requests[sent % len(requests)])
        sent += 1
    return sent, time.perf_counter() - started, time.process_time() - cpu_before, [], statuses


# Figures ------------------------------------------------------------------------------


def _totals() -> tuple[int, int, int]:
    from django.db import connection

    from harken.publishing.models import Campaign, Click

    clicks = Click.objects.filter(workspace__slug=SLUG)
    totals = (
        clicks.count(),
        clicks.filter(pledged=True).count(),
        Campaign.objects.get(workspace__slug=SLUG).pledged_cents,
    )
    connection.close()
    return totals


def _report(
    mode: str,
    sent: int,
    seconds: float,
    cpu: float,
    latencies: list[float],
    statuses: dict[int, int],
    before: tuple[int, int, int],
) -> None:
    clicks, pledged, cents = (a - b for a, b in zip(_totals(), before, strict=True))
    warm = 50 if mode == "http" else 50  # the warm-up requests, counted as clicks too
    line = f"  {mode:<5} {sent / seconds:>8,.0f} redirects/s wall"
    line += f"  {sent / cpu:>8,.0f} per CPU second of the server" if cpu else ""
    if latencies:
        p99 = statistics.quantiles(latencies, n=100)[98]
        line += f"  latency median {statistics.median(latencies):.2f} ms, p99 {p99:.2f} ms"
    print(line)
    print(
        f"        {sent:,} requests in {seconds:.1f} s, answers {statuses};"
        f" clicks stored {clicks - warm:,} (+{warm} warm-up); pledged clicks {pledged:,},"
        f" pledged total {cents // 100:,} $ (must equal the pledged clicks)"
    )


def _machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            names = (line.split(":", 1)[1] for line in cpuinfo if line.startswith("model name"))
            model = next(names, model).strip()
    except OSError:
        pass
    load = " ".join(f"{n:.2f}" for n in os.getloadavg())
    return f"{os.cpu_count()} cores, {model}; Python {platform.python_version()}; load {load}"


def _database_label(connection: Any) -> str:
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version} ({connection.settings_dict['NAME']})"
    major, minor = divmod(connection.pg_version, 10_000)
    return f"PostgreSQL {major}.{minor} ({connection.settings_dict['NAME']})"


if __name__ == "__main__":
    main()
