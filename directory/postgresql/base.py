"""PostgreSQL that cannot keep a web request waiting on a database that does not answer.

A server that is down refuses at once; one that is silent (hung, or a proxy in front of it
that accepts and forwards nothing) would keep a worker waiting for ever, and connections
kept for CONN_MAX_AGE have no read timeout of their own. Each failure has its bound:

- connecting: libpq's connect_timeout (DATABASE_CONNECT_TIMEOUT);
- a peer that vanished (nothing acknowledged): TCP keepalives and tcp_user_timeout, set in
  the settings, which drop the connection in the kernel;
- a slow query: PostgreSQL's statement_timeout cancels it, and the connection lives on;
- a server that acknowledges packets but never answers, which neither of those sees: the
  client stops waiting GRACE_SECONDS after the statement timeout (psycopg's wait with a
  timeout), closes the connection and raises OperationalError: the site's 503 page.

The two query limits hold only for connections opened while serving a web request
(directory.postgresql.serving): migrations and the daily commands run as long as they need.
"""

import threading
import time

import psycopg
from django.db.backends.postgresql import base

from directory.postgresql.serving import serving_request

# A health check of a kept connection (SELECT 1) answers in milliseconds from a working
# server: waiting longer only delays the 503 of a request that meets a silent one.
HEALTH_CHECK_SECONDS = 1
# The client waits this much past the statement timeout, so that a slow query is cancelled
# by the server (the connection stays usable) before the client gives up on the connection.
GRACE_SECONDS = 1
# Once a server has not answered, new web connections to it fail at once for this long:
# every request answers its 503 at once rather than each waiting out connect_timeout.
RETRY_SECONDS = 5


class DatabaseDidNotAnswer(psycopg.OperationalError):
    """The server said nothing in time; the connection is closed (Django: OperationalError)."""


class AnswerBoundConnection(psycopg.Connection):
    """A psycopg connection that waits at most `answer_within` seconds for each answer."""

    answer_within = None  # seconds; None waits as long as it takes (management commands)
    when_unanswered = None  # called once the server has not answered

    def wait(self, gen, *args, **kwargs):
        # psycopg's own timed waits (a cancellation, notifies) keep their timeouts.
        if self.answer_within is None or args[1:] or "timeout" in kwargs:
            return super().wait(gen, *args, **kwargs)
        try:
            return super().wait(gen, *args, timeout=self.answer_within, **kwargs)
        except psycopg.errors._WaitTimeout:
            # Mid-exchange: the connection can never be used again. Closing only drops the
            # socket; it sends nothing that could block.
            self.close()
            if self.when_unanswered:
                self.when_unanswered()
            raise DatabaseDidNotAnswer(
                f"the database did not answer within {self.answer_within} s"
            ) from None


class Psycopg:
    """psycopg as Django's backend uses it (`self.Database`), connecting with
    AnswerBoundConnection."""

    def __getattr__(self, name):
        return getattr(psycopg, name)

    def connect(self, *args, **kwargs):
        return AnswerBoundConnection.connect(*args, **kwargs)


# Servers that did not answer: (host, port, name) -> until when they are not tried again.
_unanswered_until = {}
_unanswered_lock = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    Database = Psycopg()

    def server(self):
        settings = self.settings_dict
        return (settings["HOST"], str(settings["PORT"]), settings["NAME"])

    def server_did_not_answer(self):
        with _unanswered_lock:
            _unanswered_until[self.server()] = time.monotonic() + RETRY_SECONDS

    def get_connection_params(self):
        params = super().get_connection_params()
        # OPTIONS["request_statement_timeout"]: seconds, for connections serving requests.
        seconds = params.pop("request_statement_timeout", None)
        if seconds and serving_request():
            limit = f"-c statement_timeout={int(seconds * 1000)}"
            params["options"] = f"{params.get('options', '')} {limit}".strip()
            params["answer_within"] = seconds + GRACE_SECONDS
        return params

    def get_new_connection(self, conn_params):
        answer_within = conn_params.pop("answer_within", None)
        if answer_within is not None:
            with _unanswered_lock:
                until = _unanswered_until.get(self.server(), 0)
            if time.monotonic() < until:
                raise DatabaseDidNotAnswer(
                    f"the database did not answer moments ago; trying again in "
                    f"{until - time.monotonic():.1f} s"
                )
        try:
            connection = super().get_new_connection(conn_params)
        except psycopg.errors.ConnectionTimeout:
            if answer_within is not None:
                self.server_did_not_answer()
            raise
        if answer_within is not None:
            connection.answer_within = answer_within
            connection.when_unanswered = self.server_did_not_answer
        return connection

    def is_usable(self):
        # Django checks a kept connection before a request's first query (CONN_HEALTH_CHECKS).
        connection = self.connection
        if connection is None or getattr(connection, "answer_within", None) is None:
            return super().is_usable()
        connection.answer_within, answer_within = HEALTH_CHECK_SECONDS, connection.answer_within
        try:
            return super().is_usable()
        finally:
            connection.answer_within = answer_within
