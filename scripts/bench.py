"""`make bench`: the directory's key pages measured against /healthz on PostgreSQL.

Creates (once) a PostgreSQL database with N demo therapists, serves it with gunicorn (two
sync workers), drives each page with wrk, cold (page cache off) and warm (page cache on),
and prints requests/s, p50/p95/p99 and the ratio to /healthz measured in the same run.
The table goes to docs/benchmarks.md with a description of the machine.
"""

import argparse
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "scripts" / "wrk_report.lua"
# (name, PAGE_CACHE_SECONDS, COUNT_CACHE_SECONDS): nothing cached; only the facet and
# specialist counts cached; whole pages cached too.
MODES = [("cold", "0", "0"), ("counts cached", "0", "600"), ("warm", "600", "600")]
MATCH_ANSWERS = "concerns=anxiety&concerns=depression&zip_code=90012&language=spanish&budget=150"


def pages(profile_slug):
    """(name, path, POST body or None), in the order of the table."""
    return [
        ("healthz (baseline)", "/healthz", None),
        ("home", "/", None),
        ("modality page", "/modalities/cognitive-behavioral-therapy/", None),
        ("profile", f"/therapists/{profile_slug}/", None),
        ("listing, unfiltered", "/therapists/", None),
        (
            "listing, modality + city",
            "/therapists/ca/los-angeles/cognitive-behavioral-therapy/",
            None,
        ),
        (
            "listing, ZIP + radius + 3 facets",
            "/therapists/?near=90012&radius=25&concern=anxiety&language=spanish&telehealth=on",
            None,
        ),
        ("listing, page 50", "/therapists/?page=50", None),
        ("/match/ with answers", "/match/", MATCH_ANSWERS),
    ]


def run(command, env, **kwargs):
    print("$", " ".join(command), flush=True)
    subprocess.run(command, env=env, cwd=ROOT, check=True, **kwargs)


def ensure_wrk():
    if shutil.which("wrk"):
        return
    print("wrk is missing: installing it from Debian's packages", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)


def ensure_database(url):
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_url():
    """The local Redis, if one answers: the cached runs share it between workers (without
    a shared cache the site caches nothing, so those runs then measure the cold path)."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return "redis://127.0.0.1:6379/3"
    except OSError:
        return ""


def start_gunicorn(port, env):
    """The site as production runs it: gunicorn, two sync workers."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "directory.wsgi",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


def wait_until_up(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer on /healthz")


def request(port, path, body):
    data = body.encode() if body else None
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", data=data, timeout=300) as r:
        r.read()
        return r.status


def measure(port, path, body, duration, connections):
    for _ in range(5):  # warm the connection pools, and the page cache when it is on
        if request(port, path, body) != 200:
            raise SystemExit(f"{path} did not answer 200")
    env = {**os.environ, "WRK_BODY": body or ""}
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{port}{path}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    return {key: float(value) for key, value in (item.split("=") for item in line.split()[1:])}


def machine():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), {int(memory) // 1024 // 1024} GiB, {platform.platform()}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--therapists", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per page and mode")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/directory_bench"
        ),
    )
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()

    ensure_wrk()
    url = f"{args.database_url.rstrip('/')}_{args.therapists}"
    ensure_database(url)
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "benchmark-only-not-a-secret",
        # Required with DEBUG off; the run sends no email, and any would show in its output.
        "EMAIL_BACKEND": "console",
        "SITE_URL": "http://127.0.0.1",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, "manage.py"]
    run([*manage, "migrate", "--noinput", "-v0"], env)
    run([*manage, "collectstatic", "--noinput", "-v0"], env)
    run([*manage, "seed", "-v0"], env)
    with psycopg.connect(url) as connection:
        existing = connection.execute("SELECT count(*) FROM therapists_therapist").fetchone()[0]
    if existing < args.therapists:
        run([*manage, "seed_demo", "--therapists", str(args.therapists), "--seed", "1"], env)
    with psycopg.connect(url) as connection:
        connection.execute("ANALYZE")
        therapists = connection.execute(
            "SELECT count(*) FROM therapists_therapist WHERE is_listed"
        ).fetchone()[0]
        profile_slug = connection.execute(
            "SELECT slug FROM therapists_therapist WHERE is_listed ORDER BY id DESC LIMIT 1"
        ).fetchone()[0]
        postgres = connection.execute("SHOW server_version").fetchone()[0]

    results = {}
    for mode, page_seconds, count_seconds in MODES:
        port = free_port()
        server_env = {
            **env,
            "PAGE_CACHE_SECONDS": page_seconds,
            "COUNT_CACHE_SECONDS": count_seconds,
            "REDIS_URL": redis_url() if count_seconds != "0" else "",
        }
        server = start_gunicorn(port, server_env)
        try:
            wait_until_up(port)
            if server_env["REDIS_URL"]:
                import redis

                redis.Redis.from_url(server_env["REDIS_URL"]).flushdb()
            for name, path, body in pages(profile_slug):
                print(f"{mode:>13}  {name} ...", flush=True)
                results[(mode, name)] = measure(port, path, body, args.duration, args.connections)
        finally:
            server.terminate()
            server.wait(timeout=30)

    header = "| page | mode | req/s | p50 ms | p95 ms | p99 ms | ratio to /healthz | errors |"
    lines = [header, "|---|---|---:|---:|---:|---:|---:|---:|"]
    for name, _path, _body in pages(profile_slug):
        for mode, _page_seconds, _count_seconds in MODES:
            r, base = results[(mode, name)], results[(mode, "healthz (baseline)")]
            failed = int(r["errors"] + r["non2xx"])
            lines.append(
                f"| {name} | {mode} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
                f"{r['p99']:.1f} | {r['rps'] / base['rps']:.2f} | {failed} |"
            )
    table = "\n".join(lines)
    print(table)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = (
        f"\n## {therapists:,} listed therapists ({stamp})\n\n"
        f"- Machine: {machine()}; PostgreSQL {postgres}; Python {platform.python_version()}.\n"
        f"- gunicorn, 2 sync workers; wrk, 2 threads, {args.connections} connections, "
        f"{args.duration} s per page and mode. Cold: no cache at all. Counts cached: "
        f"facet and specialist counts from the cache, pages rendered. Warm: whole pages "
        f"cached too ({'Redis' if redis_url() else 'no Redis: nothing cached'}).\n\n{table}\n"
    )
    output = Path(args.output)
    if not output.exists():
        output.write_text("# Benchmarks\n\nWritten by `make bench`; each run adds a section.\n")
    with output.open("a") as file:
        file.write(section)
    print(f"Written to {output}")


if __name__ == "__main__":
    main()
