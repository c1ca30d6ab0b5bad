"""Email leaves the request through the task queue: a view writes the email, already in
its language, to the queue in its own transaction, and a worker (`manage.py db_worker`)
sends it with EMAIL_TIMEOUT, trying again later when the mail server fails. No request
waits on a mail server, and no lock is held while one answers."""

import logging

from django.core.mail import send_mail
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_email(subject, body, to, about=""):
    """Sends one email; `about` names for the log whom it concerns (never the address)."""
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[to])


def send_later(subject, body, to, about=""):
    """Queues one email. With the database backend the task is a row written in the
    caller's transaction: it is sent only if that transaction commits."""
    return send_email.enqueue(subject=subject, body=body, to=to, about=about)
