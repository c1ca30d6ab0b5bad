"""Whether this thread is serving a web request (directory.postgresql gives such requests'
connections their time limits; management commands, which never serve one, get none)."""

import threading

_thread = threading.local()


def serving_request():
    return getattr(_thread, "serving", False)


def request_started(**kwargs):
    _thread.serving = True


def request_finished(**kwargs):
    _thread.serving = False
