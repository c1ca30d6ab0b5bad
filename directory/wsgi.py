import gc
import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
application = get_wsgi_application()


def build_search_index():
    """The search index, built before the first request: with gunicorn --preload, once in
    the master, and its workers share it copy-on-write. Not fatal: without the database
    now, each process builds it on first use instead."""
    from django.db import DatabaseError, connections

    from therapists.search import current_index
    from therapists.zips import zip_point

    zip_point("90012")  # the ZIP table, read once here rather than by a first visitor
    try:
        current_index()
    except DatabaseError:
        logging.getLogger(__name__).warning("search index not built at start", exc_info=True)
    finally:
        connections.close_all()  # no connection may be shared by forked workers
    # What the workers inherit stays out of the garbage collector's scans: they would
    # touch every object's header, copying the shared pages into each worker.
    gc.freeze()


build_search_index()
