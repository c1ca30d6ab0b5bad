"""`make loadtest`: public pages under load while staff edit, on PostgreSQL.

Serves the benchmark database (N demo therapists, created by `make bench` or here) with
gunicorn, drives a mix of public pages with wrk (32 connections, 60 s by default) and,
at the same time, approves quotes and edits a modality through the ORM, as staff would.
Reports errors and non-2xx responses (both must be zero) and checks that every edit made
during the load is there afterwards. Exits non-zero if anything failed.
"""

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench import (  # noqa: E402
    ensure_database,
    ensure_wrk,
    free_port,
    redis_url,
    run,
    start_gunicorn,
    wait_until_up,
)

PATHS = [
    "/",
    "/modalities/",
    "/modalities/interpersonal-therapy/",
    "/modalities/cognitive-behavioral-therapy/",
    "/therapists/",
    "/therapists/?state=CA&telehealth=on",
    "/therapists/ca/los-angeles/",
    "/therapists/ca/los-angeles/cognitive-behavioral-therapy/",
    "/therapists/?near=90012&radius=25&concern=anxiety",
    "/therapists/?page=7",
    "/therapists/steven-su/",
    "/match/?modality=interpersonal-therapy",
]

# Run by `manage.py shell` beside the load: each round submits and approves a quote of a
# seeded specialist and writes a numbered sentence into the IPT overview's copy in CBT.
EDITOR = """
import sys, time
from django.contrib.auth import get_user_model
from modalities.models import Modality
from therapists.models import Quote
staff, _ = get_user_model().objects.get_or_create(username="loadtest-staff", is_staff=True)
cbt = Modality.objects.get(slug="cognitive-behavioral-therapy")
base = cbt.overview.split(" [load edit")[0]
deadline = time.monotonic() + {seconds}
rounds = 0
while time.monotonic() < deadline:
    rounds += 1
    quote = Quote.objects.filter(therapist_id=1 + rounds % 10, modality_id=1).get()
    quote.submit(f"Load test quote {{rounds}}.")
    Quote.objects.filter(pk=quote.pk).approve(staff, {{quote.pk: quote.draft_version}})
    cbt.refresh_from_db()
    cbt.overview = f"{{base}} [load edit {{rounds}}]"
    cbt.save()
    time.sleep(3)
print(f"EDITS {{rounds}}")
"""

CHECK = """
from modalities.models import Modality
from therapists.models import Quote
rounds = {rounds}
overview = Modality.objects.get(slug="cognitive-behavioral-therapy").overview
assert overview.endswith(f"[load edit {{rounds}}]"), overview[-40:]
for n in range(max(1, rounds - 9), rounds + 1):
    quote = Quote.objects.get(therapist_id=1 + n % 10, modality_id=1)
    assert quote.text == f"Load test quote {{n}}." or n + 10 <= rounds, (n, quote.text)
assert Quote.objects.filter(text__startswith="Load test quote", draft_status="pending").count() == 0
print("CHECKED")
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # Smaller than the benchmark's: every edit empties the page cache, and at 100,000 a
    # cold listing takes over a second (docs/benchmarks.md), which 32 connections on two
    # workers would turn into time-outs rather than a test of correctness under load.
    parser.add_argument("--therapists", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/directory_bench"
        ),
    )
    args = parser.parse_args()
    ensure_wrk()
    url = f"{args.database_url.rstrip('/')}_{args.therapists}"
    ensure_database(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "loadtest-only-not-a-secret",
        # Required with DEBUG off; the run sends no email, and any would show in its output.
        "EMAIL_BACKEND": "console",
        "SITE_URL": "http://127.0.0.1",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(ROOT / "staticfiles"),
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": redis_url(),
    }
    manage = [sys.executable, "manage.py"]
    run([*manage, "migrate", "--noinput", "-v0"], env)
    run([*manage, "collectstatic", "--noinput", "-v0"], env)
    run([*manage, "seed", "-v0"], env)
    run([*manage, "seed_demo", "--therapists", str(args.therapists), "--seed", "1"], env)

    port = free_port()
    server = start_gunicorn(port, env)
    try:
        wait_until_up(port)
        edits = {}

        def edit():
            out = subprocess.run(
                [*manage, "shell", "-c", EDITOR.format(seconds=args.seconds - 5)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            edits["rounds"] = int(out.split("EDITS ")[1].split()[0])

        editor = threading.Thread(target=edit)
        editor.start()
        started = time.monotonic()
        output = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{args.connections}",
                f"-d{args.seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(ROOT / "scripts" / "wrk_mix.lua"),
                f"http://127.0.0.1:{port}/",
            ],
            env={**env, "WRK_PATHS": " ".join(PATHS)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        editor.join()
        line = next(line for line in output.splitlines() if line.startswith("RESULT "))
        result = {k: float(v) for k, v in (item.split("=") for item in line.split()[1:])}
        checked = subprocess.run(
            [*manage, "shell", "-c", CHECK.format(rounds=edits["rounds"])],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"{time.monotonic() - started:.0f} s, {args.connections} connections, "
        f"{len(PATHS)} public pages in turn: {int(result['requests'])} requests, "
        f"{result['rps']:.0f} req/s, p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms, "
        f"p99 {result['p99']:.1f} ms"
    )
    print(f"errors: {int(result['errors'])}; non-2xx responses: {int(result['non2xx'])}")
    print(f"edits during the load: {edits['rounds']} quote approvals and modality edits")
    edits_ok = checked.returncode == 0 and "CHECKED" in checked.stdout
    print("every edit is present afterwards" if edits_ok else f"EDITS MISSING:\n{checked.stderr}")
    if result["errors"] or result["non2xx"] or not edits_ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
