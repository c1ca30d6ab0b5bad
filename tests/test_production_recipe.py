"""README's production section, run as written (tests/production.py): PostgreSQL when the
suite runs on it, DEBUG off, gunicorn with two workers and no REDIS_URL."""

import socket
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit

import pytest

from tests.production import HOST, ROOT, free_port, production_site
from tests.smtp_server import AnsweringSMTPServer
from tests.tcp_proxy import TcpProxy

CRISIS_LINE = 'call or text <a href="tel:988">988</a> (Suicide &amp; Crisis Lifeline)'


@pytest.fixture(scope="module")
def site():
    with production_site() as site:
        yield site


def test_it_passes_the_deployment_checks_with_the_readme_settings(site):
    checked = site.manage("check", "--deploy")
    assert checked.stdout == "System check identified no issues (0 silenced).\n"
    # Nothing else, warnings included.
    assert checked.stderr == ""


def test_it_answers_the_health_check_over_plain_http(site):
    # A load balancer probes the app server itself, without TLS and X-Forwarded-Proto.
    response = site.get("/healthz", https=False)
    assert response.status == 200
    assert response.text.startswith("ok\ndatabase: ok\n")
    # everything else still goes to HTTPS
    response = site.get("/therapists/", https=False)
    assert response.status == 301
    assert response.headers["Location"] == f"https://{HOST}/therapists/"


def test_it_serves_no_worker_a_stale_page_after_an_edit(site):
    path = "/therapists/jenny-moon/"
    # Enough visits for both workers to have served, and so cached, the profile.
    for _ in range(10):
        assert site.get(path).status == 200
    # A staff edit from another process, as the admin's worker is for the others.
    site.shell(
        "from therapists.models import Therapist\n"
        "therapist = Therapist.objects.get(slug='jenny-moon')\n"
        "therapist.is_listed = False\n"
        "therapist.save()\n"
    )
    assert [site.get(path).status for _ in range(30)] == [404] * 30


def test_it_answers_503_with_the_crisis_line_while_the_database_is_down(site):
    nowhere = f"postgres://directory@127.0.0.1:{free_port()}/directory"
    with site.serve(DATABASE_URL=nowhere) as down:
        for path in ["/", "/therapists/steven-su/", "/modalities/interpersonal-therapy/"]:
            response = down.get(path)
            assert response.status == 503, path
            assert response.headers["Retry-After"] == "30"
            assert CRISIS_LINE in response.text
            assert "Please try again in a few minutes." in response.text
        # The session middleware is what fails for a signed-in visitor: the same page.
        response = down.get("/", headers={"Cookie": "sessionid=a-session-to-look-up"})
        assert response.status == 503
        assert CRISIS_LINE in response.text
        # The page's stylesheet needs no database either.
        stylesheet = response.text.split('<link rel="stylesheet" href="', 1)[1].split('"')[0]
        assert stylesheet.startswith("/static/css/site.")
        assert down.get(stylesheet).status == 200
        assert down.get("/healthz", https=False).status == 503


@contextmanager
def silent_listener():
    """A port that accepts connections and never says a word: a database that hangs."""
    listener = socket.create_server(("127.0.0.1", 0))
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            with suppress(TimeoutError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def test_it_answers_503_soon_when_the_database_accepts_but_never_answers(site):
    with silent_listener() as port:
        hanging = f"postgres://directory@127.0.0.1:{port}/directory"
        with site.serve(DATABASE_URL=hanging, DATABASE_CONNECT_TIMEOUT="2") as stuck:
            response = stuck.get("/therapists/steven-su/")
            assert response.status == 503
            assert CRISIS_LINE in response.text
            assert stuck.get("/healthz", https=False).status == 503


def timed_get(server, path):
    started = time.monotonic()
    response = server.get(path, https=path != "/healthz")
    return response, time.monotonic() - started


def test_item_3_a_database_that_stops_answering_gets_the_503_page_within_5_seconds(site):
    """Workers hold connections (CONN_MAX_AGE) to a database that then falls silent:
    accepted and acknowledged at the TCP level, never answered. On SQLite, the file locked
    by another process is the database that does not answer."""
    database_url = site.env.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        with site.serve() as served, sqlite3.connect(site.env["SQLITE_PATH"]) as locker:
            assert served.get("/").status == 200
            locker.execute("BEGIN EXCLUSIVE")
            try:
                for path in ["/", "/therapists/steven-su/", "/"]:
                    response, seconds = timed_get(served, path)
                    assert response.status == 503, path
                    assert CRISIS_LINE in response.text
                    assert seconds < 5, (path, seconds)
            finally:
                locker.rollback()
        return
    parts = urlsplit(database_url)
    with TcpProxy((parts.hostname, parts.port or 5432)) as proxy:
        userinfo = parts.netloc.rpartition("@")[0]
        through_proxy = parts._replace(netloc=f"{userinfo}@127.0.0.1:{proxy.port}")
        with site.serve(DATABASE_URL=through_proxy.geturl()) as served:
            # Enough requests for both workers to hold a connection through the proxy.
            for _ in range(10):
                assert served.get("/").status == 200
                assert served.get("/healthz", https=False).status == 200
            proxy.silent = True
            for path in ["/healthz", "/", "/therapists/steven-su/", "/healthz", "/"]:
                response, seconds = timed_get(served, path)
                assert response.status == 503, path
                assert seconds < 5, (path, seconds)
                if path != "/healthz":
                    assert response.headers["Retry-After"] == "30"
                    assert CRISIS_LINE in response.text
            # Answering again, the database is used again within seconds, by each worker
            # once its pause (directory.postgresql.base.RETRY_SECONDS) is over.
            proxy.silent = False
            deadline = time.monotonic() + 15
            while [served.get("/").status for _ in range(6)] != [200] * 6:
                assert time.monotonic() < deadline, "the site did not come back"
                time.sleep(0.5)


def test_it_serves_no_stale_page_after_an_edit_made_where_redis_could_not_be_reached(
    site, redis_server
):
    path = "/therapists/whitney-omalley/"
    redis_server.client().flushdb()
    # Every request rereads the version, so the test need not wait out the default second.
    with site.serve(REDIS_URL=redis_server.url, CONTENT_VERSION_CHECK_SECONDS="0") as cached:
        for _ in range(10):
            assert cached.get(path).status == 200
        assert redis_server.entries()  # the profile is cached
        # A staff edit from a process that cannot reach Redis (a cron job, a partitioned
        # server): the cache cannot be told, the database can.
        site.shell(
            "from therapists.models import Therapist\n"
            "therapist = Therapist.objects.get(slug='whitney-omalley')\n"
            "therapist.is_listed = False\n"
            "therapist.save()\n",
            REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
        )
        assert [cached.get(path).status for _ in range(30)] == [404] * 30


def test_item_2_the_recipe_s_task_worker_sends_what_a_request_queued_and_the_prune_runs(site):
    with AnsweringSMTPServer() as mail_server:
        mail = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(mail_server.port)}
        mail["EMAIL_USE_TLS"] = "0"  # the test's server speaks plain SMTP
        site.shell(
            "from kit.mail import send_later\n"
            "send_later('Fictional subject', 'Fictional body', 'ada@example.org', 'a test')\n"
        )
        assert "tasks: oldest waiting " in site.get("/healthz", https=False).text
        # README's worker command, as its service runs it.
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--queue-name", "*"],
            cwd=ROOT,
            env={**site.env, **mail},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while not mail_server.messages and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            worker.terminate()
            worker.wait(timeout=20)
    assert mail_server.recipients() == [["ada@example.org"]]
    assert site.get("/healthz", https=False).text.endswith("tasks: none waiting\n")

    # README's daily job: finished tasks (each holds an email's text) go after a day.
    site.shell(
        "import datetime\n"
        "from django.utils import timezone\n"
        "from django_tasks_db.models import DBTaskResult\n"
        "DBTaskResult.objects.update(finished_at=timezone.now() - datetime.timedelta(days=2))\n"
    )
    site.manage("prune_db_task_results", "--queue-name", "*", "--min-age-days", "1")
    remaining = (
        "from django_tasks_db.models import DBTaskResult\nprint(DBTaskResult.objects.count())"
    )
    assert site.shell(remaining).splitlines()[-1] == "0"
