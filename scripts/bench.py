"""`make bench`: the directory's pages under load, against /healthz, on PostgreSQL.

For each size (100,000 and then 500,000 demo therapists unless --therapists says
otherwise) it creates once a database `directory_bench_<N>` (`manage.py seed_demo`),
reads the search index's build time and memory from `manage.py search_index --stats`,
serves the site with gunicorn as production does (two sync workers, --preload, no page
cache) and drives with wrk:

- the listing mix: at least 500 distinct listing addresses drawn as visitors search
  (scripts/bench_combinations.py), each checked once beforehand and kept only if it
  answers 200, so that no page past the end is measured;
- the landing mix: at least 50 distinct city and city + modality pages;
- single pages: /healthz (the baseline, measured in the same run), home, a modality page,
  a profile and /match/ with four answers.

It prints requests/s, p50/p95/p99, the ratio to /healthz and the errors, names every
error and non-2xx response, and says for each of issue 11's targets "met" or "missed"
with the numbers. Each size's section goes to docs/benchmarks.md (or --output); with both
100,000 and 500,000 measured, a last line compares the listing mix's p95 at the two sizes.
"""

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import bench_combinations  # noqa: E402

LUA = ROOT / "scripts" / "wrk_mix.lua"
SIZES = [100_000, 500_000]
WORKERS = 2  # gunicorn's, as in production
# Exactly four answers: one concern, a ZIP code, a language and a budget.
MATCH_ANSWERS = "concerns=anxiety&zip_code=90012&language=spanish&budget=150"
MODALITY_PAGE = "/modalities/cognitive-behavioral-therapy/"
MIN_LISTINGS, MIN_LANDINGS = 500, 50  # what the issue asks the mixes to hold
# wrk drops a request slower than its timeout (2 s by default) from the latencies and
# counts it as an error; a slow page should be measured as slow instead.
WRK_TIMEOUT = "30s"

# Issue 11's targets, set for 500,000 therapists: (group, what, limit).
PAGE_TARGETS = [
    ("listing mix", "p95", 30),
    ("listing mix", "ratio", 0.2),
    ("landing mix", "p95", 20),
    ("profile", "p95", 20),
    ("modality page", "p95", 20),
    ("/match/ with four answers", "p95", 40),
    ("home", "p95", 10),
]
INDEX_TARGETS = [
    ("build_seconds", "index built from PostgreSQL in <= 20 s", 20, "s"),
    ("memory_mb", "index memory <= 200 MB more per worker", 200, "MB"),
    ("apply_one_ms", "one changed therapist applied in <= 5 ms", 5, "ms"),
]
GROWTH_LIMIT = 1.3  # listing mix p95 at 500,000 over that at 100,000


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
    """The local Redis, if one answers: the page cache is shared between workers through it
    (without a shared cache the site caches nothing)."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return "redis://127.0.0.1:6379/3"
    except OSError:
        return ""


def start_gunicorn(port, env, preload=False, log=None):
    """The site as production runs it: gunicorn, two sync workers. With preload the app,
    and so the search index, is built once in the master and shared by the forked workers
    copy-on-write. With `log` (a file) its output goes there."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "directory.wsgi",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            *(["--preload"] if preload else []),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )


def wait_until_up(port, timeout=60, server=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer on /healthz")


def fetch(port, path, body=None):
    """(status, page text) of one request; a 404 or 500 is an answer, not an exception, and
    no answer at all (a worker killed by gunicorn's timeout) is status None."""
    data = body.encode() if body else None
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}{path}", data=data, timeout=300
        ) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except (OSError, http.client.HTTPException) as error:
        return None, f"no answer ({type(error).__name__}: {error})"


def answer(status, text):
    """A status as the report names it."""
    return f"answered {status}" if status is not None else text


def settle(port, workers=WORKERS):
    """Waits until the server is idle. When wrk stops, the requests it left queued are
    still served (a sync worker does not notice that the client went away): with slow
    pages that is seconds of work, which would otherwise count against the next group.
    Idle: eight /healthz requests at once all answer within a quarter of a second."""
    deadline = time.monotonic() + 300
    with ThreadPoolExecutor(workers * 4) as pool:
        while time.monotonic() < deadline:
            started = time.monotonic()
            list(pool.map(lambda _: fetch(port, "/healthz"), range(workers * 4)))
            if time.monotonic() - started < 0.25:
                return
    print("    the server is still busy after 300 s; measuring anyway", flush=True)


# The listing's heading, "1,234 therapists": read to describe the mix, if it is there.
RESULTS_HEADING = re.compile(r'id="results-heading">\s*([\d,]+) therapist')


def checked(port, path):
    """Why a listing or landing address is kept or dropped: ("ok", total or None),
    ("past the end", None) for a 404 on a page after the first, or ("bug", reason)."""
    status, text = fetch(port, path)
    if status == 404 and bench_combinations.describe(path)["page"] > 1:
        return "past the end", None
    if status != 200:
        return "bug", answer(status, text)
    if 'id="error-summary"' in text:  # the form refused a value: the generator's fault
        return "bug", "the filter form refused it"
    total = RESULTS_HEADING.search(text)
    return "ok", int(total.group(1).replace(",", "")) if total else None


def keep_answering(port, stream, wanted, limit):
    """The first `wanted` addresses of `stream` answering 200, requested one per worker at a
    time (more would only queue, and at 500,000 therapists a slow page queued behind others
    can outlast gunicorn's 30 s timeout). Returns the kept addresses, their result totals,
    a Counter of what was dropped, examples of any bug, and how many were drawn."""
    kept, totals, dropped, bugs = [], [], Counter(), []
    drawn = 0
    with ThreadPoolExecutor(WORKERS) as pool:
        while len(kept) < wanted and drawn < limit:
            # More than missing, since some draws will ask for a page past the end; the
            # answers beyond the last one needed are not counted as drawn.
            batch = list(islice(stream, min(limit - drawn, (wanted - len(kept)) * 5 // 4 + 8)))
            if not batch:
                break
            for path, (outcome, detail) in zip(
                batch, pool.map(lambda p: checked(port, p), batch), strict=True
            ):
                drawn += 1
                if outcome == "ok":
                    kept.append(path)
                    totals.append(detail)
                    if len(kept) == wanted:
                        break
                else:
                    dropped[outcome] += 1
                    if outcome == "bug":
                        bugs.append(f"{path} {detail}")
            print(f"    {len(kept)} kept of {drawn} drawn", flush=True)
    return kept, totals, dropped, bugs, drawn


def wrk(port, paths, body, duration, connections):
    """One wrk run over `paths` in turn: the RESULT numbers, plus the non-200 statuses."""
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as file:
        file.write("\n".join(paths) + "\n")
    try:
        output = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{duration}s",
                "--timeout",
                WRK_TIMEOUT,
                "-s",
                str(LUA),
                f"http://127.0.0.1:{port}",
            ],
            env={**os.environ, "WRK_PATHS_FILE": file.name, "WRK_BODY": body or ""},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(file.name)
    lines = output.splitlines()
    line = next(line for line in lines if line.startswith("RESULT "))
    result = {key: float(value) for key, value in (item.split("=") for item in line.split()[1:])}
    statuses = next(line for line in lines if line.startswith("STATUSES"))
    result["statuses"] = {
        int(status): int(n) for status, n in (item.split("=") for item in statuses.split()[1:])
    }
    return result


ERROR_NAMES = {
    "connect": "connection errors",
    "read": "read errors",
    "write": "write errors",
    "timeout": "timeouts",
}


def failures(result):
    """The errors of a run, named: "3 timeouts, 2 answered 404"."""
    named = [f"{int(result[kind])} {name}" for kind, name in ERROR_NAMES.items() if result[kind]]
    named += [f"{n} answered {status}" for status, n in sorted(result["statuses"].items())]
    return ", ".join(named)


def process_memory(pid):
    """(RSS, PSS) in MB; PSS shares each copy-on-write page among the processes using it."""
    rss = next(
        int(line.split()[1]) / 1024
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith("VmRSS:")
    )
    try:
        pss = next(
            int(line.split()[1]) / 1024
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
            if line.startswith("Pss:")
        )
    except (OSError, StopIteration):
        pss = None
    return rss, pss


def children(pid):
    """The gunicorn workers: the processes whose parent is the master."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name, in parentheses, may hold spaces: the parent comes after it.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def memory_line(master):
    parts = []
    for pid in children(master):
        try:
            rss, pss = process_memory(pid)
        except OSError:
            continue
        parts.append(f"{rss:.0f} MB" + (f" (PSS {pss:.0f} MB)" if pss is not None else ""))
    master_rss = process_memory(master)[0]
    return f"{' and '.join(parts) or 'no worker found'}; master {master_rss:.0f} MB"


def index_stats(manage, env):
    """The search index's own figures, from `manage.py search_index --stats` (one JSON line:
    therapists, build_seconds, memory_mb, apply_one_ms), or a sentence saying why not."""
    print("$", " ".join([*manage, "search_index", "--stats"]), flush=True)
    done = subprocess.run(
        [*manage, "search_index", "--stats"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        if "Unknown command" in done.stderr:
            return None, "command not available"
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"command failed (exit {done.returncode}: {last})"
    line = next((x for x in reversed(done.stdout.splitlines()) if x.startswith("{")), None)
    if line is None:
        return None, "no JSON line in the command's output"
    return json.loads(line), line


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


def prepare(args, size, env):
    """The database for `size` therapists, seeded once; returns its facts."""
    url = f"{args.database_url.rstrip('/')}_{size}"
    ensure_database(url)
    env = {**env, "DATABASE_URL": url}
    manage = [sys.executable, "manage.py"]
    run([*manage, "migrate", "--noinput", "-v0"], env)
    run([*manage, "collectstatic", "--noinput", "-v0"], env)
    run([*manage, "seed", "-v0"], env)
    with psycopg.connect(url) as connection:
        existing = connection.execute("SELECT count(*) FROM therapists_therapist").fetchone()[0]
    if existing < size:
        run([*manage, "seed_demo", "--therapists", str(size), "--seed", "1"], env)
    with psycopg.connect(url) as connection:
        connection.execute("ANALYZE")
        facts = {
            "url": url,
            "env": env,
            "listed": connection.execute(
                "SELECT count(*) FROM therapists_therapist WHERE is_listed"
            ).fetchone()[0],
            "profile": connection.execute(
                "SELECT slug FROM therapists_therapist WHERE is_listed ORDER BY id DESC LIMIT 1"
            ).fetchone()[0],
            "postgres": connection.execute("SHOW server_version").fetchone()[0],
            "vocabulary": bench_combinations.load_vocabulary(connection),
        }
    facts["index"], facts["index_note"] = index_stats(manage, env)
    print(f"index stats: {facts['index_note']}", flush=True)
    return facts


def single_pages(profile_slug):
    """(group, path, POST body or None), besides the two mixes."""
    return [
        ("home", "/", None),
        ("modality page", MODALITY_PAGE, None),
        ("profile", f"/therapists/{profile_slug}/", None),
        ("/match/ with four answers", "/match/", MATCH_ANSWERS),
    ]


def warm_single(port, path, body):
    """None if the page answers as it should five times (which also warms both workers),
    else why not."""
    for _ in range(5):
        status, text = fetch(port, path, body)
        if status != 200:
            return answer(status, text)
        if body and 'id="matches-heading"' not in text:
            return "the answers were refused (no matches section)"
    return None


def measure_size(args, size, facts, label, server_env):
    """Serves the site once and measures every group: ({group: result}, notes)."""
    groups, notes = {}, {"broken": {}}
    # The server's output goes to a file: each page past the end met while checking the
    # addresses is a "Not Found" warning there; anything else is shown after the run.
    with tempfile.TemporaryFile("w+") as log:
        port = free_port()
        started = time.monotonic()
        server = start_gunicorn(port, server_env, preload=True, log=log)
        try:
            # With --preload the master builds the app (and the index) before it listens.
            wait_until_up(port, timeout=900, server=server)
            notes["ready"] = time.monotonic() - started
            drive(args, size, facts, label, server_env, port, server.pid, groups, notes)
        finally:
            server.terminate()
            server.wait(timeout=60)
            log.seek(0)
            lines = log.read().splitlines()
    notes["server log"] = [line for line in lines if not line.startswith("Not Found:")]
    if notes["server log"]:
        print("server output besides 'Not Found' warnings:", flush=True)
        print("\n".join(notes["server log"][:60]), flush=True)
    return groups, notes


def drive(args, size, facts, label, server_env, port, master, groups, notes):
    """Checks the addresses (the warm-up), then runs wrk on each group into `groups`."""
    if server_env.get("REDIS_URL"):
        import redis

        redis.Redis.from_url(server_env["REDIS_URL"]).flushdb()
    vocabulary, seed, connections = facts["vocabulary"], args.seed, args.connections
    print(f"[{size:,} {label}] checking listing addresses ...", flush=True)
    listings = keep_answering(
        port,
        bench_combinations.listing_paths(vocabulary, seed),
        args.combinations,
        limit=args.combinations * 4,
    )
    print(f"[{size:,} {label}] checking landing pages ...", flush=True)
    landings = keep_answering(
        port,
        bench_combinations.landing_paths(vocabulary, seed),
        args.landing,
        limit=args.landing * 4,
    )
    notes["listings"], notes["landings"] = listings, landings
    plan = [
        ("healthz (baseline)", ["/healthz"], None, args.duration),
        ("listing mix", listings[0], None, args.mix_duration),
        ("landing mix", landings[0], None, args.mix_duration),
    ]
    for group, path, body in single_pages(facts["profile"]):
        problem = warm_single(port, path, body)
        if problem:
            notes["broken"][group] = f"{path} {problem}"
        else:
            plan.append((group, [path], body, args.duration))
    notes["memory after warm-up"] = memory_line(master)
    for group, paths, body, duration in plan:
        if not paths:
            notes["broken"][group] = "no address kept"
            continue
        print(f"[{size:,} {label}] {group}, {len(paths)} path(s), {duration} s ...", flush=True)
        settle(port)
        groups[group] = result = wrk(port, paths, body, duration, connections)
        print(f"    {result['rps']:.0f} req/s, p95 {result['p95']:.1f} ms", flush=True)
        if result["non2xx"] or result["statuses"]:
            # wrk cannot say which address failed: ask each again, to name them.
            settle(port)
            with ThreadPoolExecutor(WORKERS) as pool:
                again = list(pool.map(lambda p, body=body: fetch(port, p, body), paths))
            result["failing"] = [
                f"{path} {answer(status, text)}"
                for path, (status, text) in zip(paths, again, strict=True)
                if status != 200
            ]
    notes["memory after the run"] = memory_line(master)


def rate(rps):
    """Requests/s, with a decimal when few: a slow page's 0.4 is not nothing."""
    return f"{rps:.1f}" if rps < 10 else f"{rps:.0f}"


def verdict(met):
    return "met" if met else "missed"


def target_lines(groups, notes, facts):
    """[(met, text)] for each of issue 11's targets, with the numbers."""
    lines = []
    base = groups.get("healthz (baseline)")
    for group, what, limit in PAGE_TARGETS:
        name = (
            f"{group} req/s >= {limit} × /healthz"
            if what == "ratio"
            else f"{group} p95 <= {limit} ms"
        )
        result = groups.get(group)
        if result is None or not result["requests"]:
            why = notes["broken"].get(group, "no request finished within the run")
            lines.append((False, f"{name}: missed (not measured: {why})"))
            continue
        if what == "ratio":
            value = result["rps"] / base["rps"] if base and base["rps"] else 0
            met = value >= limit
            shown = f"{value:.2f}: {rate(result['rps'])} against {rate(base['rps'])} req/s"
        else:
            value = result["p95"]
            met, shown = value <= limit, f"{value:.1f} ms"
        failed = failures(result)
        if failed:
            met, shown = False, f"{shown}, but with errors: {failed}"
        lines.append((met, f"{name}: {verdict(met)} ({shown})"))
    stats = facts["index"]
    for key, name, limit, unit in INDEX_TARGETS:
        if not stats or stats.get(key) is None:
            why = facts["index_note"] if not stats else f"no {key} in the stats"
            lines.append((False, f"{name}: missed (not measured: {why})"))
        else:
            met = stats[key] <= limit
            lines.append((met, f"{name}: {verdict(met)} ({stats[key]} {unit})"))
    return lines


def check_lines(groups, notes):
    """[(met, text)] for what the measurement itself needs: enough distinct addresses, and
    no error anywhere (an error or a 404 in a mix is a bug of the generator or the site)."""
    lines = []
    for key, minimum, noun in (
        ("listings", MIN_LISTINGS, "listing combinations"),
        ("landings", MIN_LANDINGS, "landing pages"),
    ):
        kept = len(notes[key][0])
        met = kept >= minimum
        lines.append((met, f"at least {minimum} distinct {noun}: {verdict(met)} ({kept} kept)"))
        for bug in notes[key][3][:10]:
            lines.append((False, f"generator or site bug: {bug}"))
    if notes["server log"]:
        first = " / ".join(dict.fromkeys(notes["server log"][:3]))
        lines.append(
            (False, f"server output: {len(notes['server log'])} lines besides 404s: {first}")
        )
    for group, key in (("listing mix", "listings"), ("landing mix", "landings")):
        result, addresses = groups.get(group), len(notes[key][0])
        if result and result["requests"] < addresses:
            lines.append(
                (
                    False,
                    f"{group}: only {int(result['requests'])} requests finished, fewer than its "
                    f"{addresses} addresses: the figures cover part of the mix "
                    "(a longer --mix-duration would cover it all)",
                )
            )
    for group, why in notes["broken"].items():
        lines.append((False, f"{group}: {why}"))
    for group, result in groups.items():
        failed = failures(result)
        if failed:
            lines.append((False, f"{group}: {failed}"))
            for failing in result.get("failing", [])[:10]:
                lines.append((False, f"{group}: on a second request, {failing}"))
            if result.get("failing") == []:
                lines.append((False, f"{group}: every address answered 200 when asked again"))
    if not any(result for result in groups.values() if failures(result)):
        lines.append((True, "no errors and no non-2xx responses in any group: met"))
    return lines


def mix_description(notes):
    """What the listing mix holds: places, pages, orders, facets, result totals."""
    kept, totals, dropped, _bugs, drawn = notes["listings"]
    shapes = [bench_combinations.describe(path) for path in kept]

    def spread(key):
        counts = Counter(shape[key] for shape in shapes)
        return ", ".join(f"{value}: {n}" for value, n in sorted(counts.items(), key=str))

    known = sorted(total for total in totals if total is not None)
    results = ""
    if known:
        results = (
            f"; results per combination: median {known[len(known) // 2]:,}, "
            f"{sum(1 for t in known if t < 20)} with fewer than one page"
        )
    landing_kept, _totals, landing_dropped, _bugs, landing_drawn = notes["landings"]
    with_modality = sum(1 for path in landing_kept if path.count("/") == 5)
    return (
        f"- Listing mix: {len(kept)} distinct combinations kept of {drawn} drawn "
        f"({dropped['past the end']} asked for a page past the end, "
        f"{dropped['bug']} refused); place {spread('place')}; modalities {spread('modalities')}; "
        f"other facets {spread('other facets')}; page {spread('page')}; "
        f"order {spread('order')}{results}.\n"
        f"- Landing mix: {len(landing_kept)} distinct pages kept of {landing_drawn} drawn "
        f"({len(landing_kept) - with_modality} city, {with_modality} city + modality; "
        f"{landing_dropped['bug']} refused).\n"
    )


def table(runs):
    """The table of one size, for each mode measured."""
    lines = [
        "| page group | req/s | p50 ms | p95 ms | p99 ms | ratio to /healthz | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, (groups, _notes) in runs.items():
        base = groups.get("healthz (baseline)")
        suffix = "" if label == "no page cache" else f" ({label})"
        for group, r in groups.items():
            ratio = r["rps"] / base["rps"] if base and base["rps"] else 0
            failed = int(r["errors"] + r["non2xx"])
            lines.append(
                f"| {group}{suffix} | {rate(r['rps'])} | {r['p50']:.1f} | {r['p95']:.1f} | "
                f"{r['p99']:.1f} | {ratio:.2f} | {failed} |"
            )
    return "\n".join(lines)


def section(args, size, facts, runs):
    groups, notes = runs["no page cache"]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    stats = facts["index"]
    index = (
        f"built in {stats.get('build_seconds')} s for {stats.get('therapists')} therapists, "
        f"{stats.get('memory_mb')} MB, one changed therapist applied in "
        f"{stats.get('apply_one_ms')} ms (`{facts['index_note']}`)"
        if stats
        else facts["index_note"]
    )
    where = (
        " (issue 11)"
        if size == 500_000
        else f" (issue 11 sets them for 500,000; here checked at {size:,})"
    )
    targets = "\n".join(f"- {text}" for _met, text in target_lines(groups, notes, facts))
    checks = "\n".join(f"- {text}" for _met, text in check_lines(groups, notes))
    modes = (
        "No page cache (PAGE_CACHE_SECONDS=0, no REDIS_URL): every page is built for its "
        "request, as the targets ask."
    )
    if "page cache on" in runs:
        modes += ' Rows marked "page cache on": PAGE_CACHE_SECONDS=600 with Redis.'
    return (
        f"\n## {size:,} therapists: listing mix and key pages ({stamp})\n\n"
        f"- Machine: {machine()}; PostgreSQL {facts['postgres']}; "
        f"Python {platform.python_version()}.\n"
        f"- Database `{urlsplit(facts['url']).path.lstrip('/')}`: "
        f"{facts['listed']:,} listed therapists.\n"
        f"- gunicorn, 2 sync workers, --preload (answering {notes['ready']:.1f} s after its "
        f"start); wrk, 2 threads, {args.connections} connections, {args.mix_duration} s per "
        f"mix and {args.duration} s per single page, addresses in turn. {modes}\n"
        f"- Search index (`manage.py search_index --stats`): {index}.\n"
        f"- Worker RSS after warm-up: {notes['memory after warm-up']}; after the run: "
        f"{notes['memory after the run']}.\n"
        f"{mix_description(notes)}"
        f"- Combinations: `python scripts/bench_combinations.py --seed {args.seed} "
        f"--database-url ...` prints them.\n\n"
        f"{table(runs)}\n\n"
        f"Targets{where}:\n\n{targets}\n\n"
        f"Checks of the measurement:\n\n{checks}\n"
    )


def append(path, text):
    output = Path(path)
    if not output.exists():
        output.write_text("# Benchmarks\n\nWritten by `make bench`; each run adds a section.\n")
    with output.open("a") as file:
        file.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--therapists", type=int, nargs="+", default=SIZES, help="sizes, measured in turn"
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per single page")
    parser.add_argument(
        "--mix-duration", type=int, help="seconds per mix (default: twice --duration)"
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--combinations", type=int, default=600, help="listing addresses")
    parser.add_argument("--landing", type=int, default=60, help="landing pages")
    parser.add_argument("--seed", type=int, default=1, help="of the address generator")
    parser.add_argument(
        "--warm", action="store_true", help="also measure with the page cache on (Redis)"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/directory_bench"
        ),
    )
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    args.mix_duration = args.mix_duration or 2 * args.duration

    ensure_wrk()
    env = {
        **os.environ,
        "SECRET_KEY": "benchmark-only-not-a-secret",
        # Required with DEBUG off; the run sends no email, and any would show in its output.
        "EMAIL_BACKEND": "console",
        "SITE_URL": "http://127.0.0.1",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="bench-static-"),
        "LOG_LEVEL": "WARNING",
    }
    listing_p95 = {}
    for size in args.therapists:
        facts = prepare(args, size, env)
        # The targets' mode: no page cache, so every page is built for its request.
        cold_env = {**facts["env"], "PAGE_CACHE_SECONDS": "0", "REDIS_URL": ""}
        runs = {"no page cache": measure_size(args, size, facts, "no page cache", cold_env)}
        if args.warm:
            redis = redis_url()
            if redis:
                warm_env = {**facts["env"], "PAGE_CACHE_SECONDS": "600", "REDIS_URL": redis}
                runs["page cache on"] = measure_size(args, size, facts, "page cache on", warm_env)
            else:
                print("no Redis answers on 127.0.0.1:6379: page cache run skipped", flush=True)
        text = section(args, size, facts, runs)
        print(text, flush=True)
        append(args.output, text)
        listing = runs["no page cache"][0].get("listing mix")
        if listing and listing["requests"]:
            listing_p95[size] = listing["p95"]

    if 100_000 in args.therapists and 500_000 in args.therapists:
        small, large = listing_p95.get(100_000), listing_p95.get(500_000)
        name = f"listing mix p95 at 500,000 <= {GROWTH_LIMIT} × at 100,000"
        if small is None or large is None:
            line = f"- {name}: missed (not measured at both sizes)"
        else:
            met = large <= GROWTH_LIMIT * small
            line = (
                f"- {name}: {verdict(met)} ({large:.1f} ms at 500,000, "
                f"{small:.1f} ms at 100,000: {large / small:.2f} ×)"
            )
        text = f"\n## 100,000 against 500,000 therapists\n\n{line}\n"
        print(text, flush=True)
        append(args.output, text)
    print(f"Written to {args.output}")


if __name__ == "__main__":
    main()
