"""Email leaves the request through the task queue: a view writes the email, already in
its language, to the queue in its own transaction, and a worker (`manage.py db_worker`)
sends it with EMAIL_TIMEOUT, trying again later when the mail server fails. No request
waits on a mail server, and no lock is held while one answers.

The log names an email by its `about` only ("the message_waiting notice to listing 7"),
never by its address or text: a refusal's own message often quotes the address, so only
the kind of failure is logged.
"""

import datetime
import logging
import signal
import smtplib
import threading
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

# Waits before each new attempt: a mail server down for a morning still gets the email
# out; after about a day (the last wait) the email is given up, logged, never silently.
RETRY_DELAYS = [
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=6),
    datetime.timedelta(hours=16),
]
# What a mail server that is down, slow (a timeout is an OSError) or refusing raises.
SEND_FAILURES = (smtplib.SMTPException, OSError)


class SendTookTooLong(TimeoutError):
    """The whole send outlasted EMAIL_SEND_DEADLINE (an OSError, so tried again later)."""


@contextmanager
def deadline(seconds):
    """Raises SendTookTooLong in the worker when the block runs past `seconds`.

    EMAIL_TIMEOUT bounds each read, so a server that trickles a line every few seconds
    would hold the worker, and every email queued behind it, for ever. The worker runs its
    tasks in its main thread, where a timer signal can interrupt a blocked read; elsewhere
    (tasks run in a request's thread by the tests' immediate backend) only EMAIL_TIMEOUT
    applies."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise SendTookTooLong(f"the send took over {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@task()
def send_email(subject, body, to, about="", attempt=1):
    """Sends one email, in at most EMAIL_TIMEOUT per exchange with the mail server (the SMTP
    backend's socket timeout) and EMAIL_SEND_DEADLINE in all; a failure queues the same
    email again for later, so this task itself always finishes. `about` names for the log
    whom it concerns."""
    try:
        with deadline(settings.EMAIL_SEND_DEADLINE):
            send_mail(subject=subject, message=body, from_email=None, recipient_list=[to])
    except SEND_FAILURES as error:
        return try_again_later(subject, body, to, about, attempt, error)
    return "sent"


def is_permanent(error):
    """A refusal that no later attempt would change: every recipient refused for good (5xx)."""
    return isinstance(error, smtplib.SMTPRecipientsRefused) and all(
        code >= 500 for code, _reply in error.recipients.values()
    )


def try_again_later(subject, body, to, about, attempt, error):
    failure = type(error).__name__
    can_wait = send_email.get_backend().supports_defer
    if attempt > len(RETRY_DELAYS) or is_permanent(error) or not can_wait:
        logger.error("Gave up the email about %s after %d attempt(s): %s", about, attempt, failure)
        return "given up"
    delay = RETRY_DELAYS[attempt - 1]
    send_email.using(run_after=timezone.now() + delay).enqueue(
        subject=subject, body=body, to=to, about=about, attempt=attempt + 1
    )
    logger.warning(
        "The email about %s was not sent (attempt %d: %s); trying again in %s.",
        about,
        attempt,
        failure,
        delay,
    )
    return "retrying"


def send_later(subject, body, to, about=""):
    """Queues one email. With the database backend the task is a row written in the
    caller's transaction: it is sent only if that transaction commits, and committing
    waits on no mail server."""
    return send_email.enqueue(subject=subject, body=body, to=to, about=about)
