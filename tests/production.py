"""The README's production recipe, run for real: a fresh database, `migrate`,
`collectstatic --noinput`, `seed`, then gunicorn with two workers, DEBUG off.

    with production_site() as site:
        site.get("/healthz", https=False)
        site.manage("check", "--deploy")
        with site.serve(DATABASE_URL=...) as other:  # the same build, served again
            other.get("/")

The database is a new one on the server the suite uses: on PostgreSQL (DATABASE_URL set)
a uniquely named database on that server, dropped afterwards; on SQLite a file in the
temporary directory, which also holds STATIC_ROOT and gunicorn's log. Commands run in an
environment of their own, not the test run's (no tests.settings, no DEBUG).
"""

import contextlib
import http.client
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
HOST = "directory.example.org"


def recipe_env(workdir):
    """What README's production section exports, DATABASE_URL aside."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(workdir),
        "LANG": "C.UTF-8",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        # README: "when a load balancer terminates TLS"; requests below come as from one.
        "BEHIND_TLS_PROXY": "1",
        # A real email backend and the base of links in emails, which production requires.
        "EMAIL_HOST": "smtp.example.org",
        "SITE_URL": f"https://{HOST}",
        # The load balancer's address (here the tests'), for the client address it reports.
        "TRUSTED_PROXIES": "127.0.0.1",
        "STATIC_ROOT": str(workdir / "static"),
    }


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str


@dataclass
class Server:
    """One gunicorn serving the recipe's build."""

    url: str
    log: Path

    def get(self, path, *, https=True, headers=None):
        """GET as the load balancer forwards it: the site's host, and HTTPS unless told.

        Redirects are not followed: a 301 is an answer to check.
        """
        parts = urlsplit(self.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        sent = {"Host": HOST, **({"X-Forwarded-Proto": "https"} if https else {})}
        try:
            connection.request("GET", path, headers={**sent, **(headers or {})})
            response = connection.getresponse()
            return Response(response.status, response.headers, response.read().decode())
        finally:
            connection.close()


class ProductionSite:
    def __init__(self, workdir, env):
        self.workdir, self.env = workdir, env
        self.server = None  # the recipe's gunicorn, once it runs

    @property
    def url(self):
        return self.server.url

    def get(self, path, **options):
        return self.server.get(path, **options)

    def manage(self, *args, check=True, **env):
        """`manage.py <args>` on the site's database and settings; the finished process."""
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def shell(self, code, **env):
        """Runs Python in `manage.py shell -c`; what it prints."""
        return self.manage("shell", "-c", code, **env).stdout

    @contextlib.contextmanager
    def serve(self, **env):
        """The README's gunicorn command on a free port, with `env` overriding the recipe's."""
        port = free_port()
        log = self.workdir / f"gunicorn-{port}.log"
        command = [sys.executable, "-m", "gunicorn", "directory.wsgi", "--workers", "2"]
        with log.open("w") as output:
            process = subprocess.Popen(
                [*command, "--bind", f"127.0.0.1:{port}"],
                cwd=ROOT,
                env={**self.env, **env},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        server = Server(f"http://127.0.0.1:{port}", log)
        try:
            _wait_until_answering(server, process)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_answering(server, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{server.log.read_text()}")
        try:
            server.get("/healthz")  # any answer will do: the database may be down on purpose
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer:\n{server.log.read_text()}")


@contextlib.contextmanager
def fresh_database(workdir):
    """{DATABASE_URL or SQLITE_PATH: ...} for a new, empty database on the suite's server."""
    suite_url = os.environ.get("DATABASE_URL", "")
    if not suite_url.startswith(("postgres://", "postgresql://")):
        yield {"SQLITE_PATH": str(workdir / "db.sqlite3")}
        return
    name = f"recipe_{uuid.uuid4().hex[:12]}"
    parts = urlsplit(suite_url)
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}"))}
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def production_site():
    """The recipe built and served by its gunicorn; yields the ProductionSite."""
    with tempfile.TemporaryDirectory(prefix="recipe-") as tmp:
        workdir = Path(tmp)
        with fresh_database(workdir) as database:
            site = ProductionSite(workdir, {**recipe_env(workdir), **database})
            site.manage("migrate")
            site.manage("collectstatic", "--noinput")
            site.manage("seed")
            with site.serve() as site.server:
                yield site
