"""The search index's reading of the database: every source's rows grouped by value when
the index is built, and the rows of a few listings when the change log names them."""

import functools
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection, connections
from django.db.models import TextField, Value
from django.db.models.functions import Cast

from therapists.models import Therapist
from therapists.search.facets import SOURCES


def fetch(queryset):
    """The rows of a values_list() queryset (the database's own types)."""
    return queryset.iterator(chunk_size=50_000)


def read_grouped(names, order):
    """Each source's grouped() rows. On PostgreSQL outside a transaction, in threads with
    connections of their own (SEARCH_INDEX_BUILD_THREADS): the database does the work, on
    as many cores as it has. Inside a transaction (tests) another connection would not see
    its rows, and SQLite gains nothing: one at a time."""
    threads = settings.SEARCH_INDEX_BUILD_THREADS
    if threads < 2 or connection.vendor != "postgresql" or connection.in_atomic_block:
        return [list(SOURCES[name].grouped(order)) for name in names]

    def read(name):
        try:
            return list(SOURCES[name].grouped(order))
        finally:
            connections.close_all()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(read, names))


def listings_query(therapist_ids):
    """One UNION ALL of every source for these therapists: (source, id, value as text)."""
    listed = Therapist.objects.listed().filter(pk__in=therapist_ids).order_by()
    parts = [listed.values_list(Value("listed"), "id", Cast("id", TextField()))] + [
        source.read_as_text(name, therapist_ids) for name, source in SOURCES.items()
    ]
    return parts[0].union(*parts[1:], all=True)


@functools.lru_cache(maxsize=32)
def compiled_listings_query(count, vendor):
    """listings_query() for `count` ids as (SQL, params), with -1...-count where the ids
    go: building and compiling twenty querysets costs more than running them."""
    placeholders = [-n for n in range(1, count + 1)]
    return listings_query(placeholders).query.get_compiler(connection.alias).as_sql()


def read_listings(therapist_ids):
    if len(therapist_ids) > 32:
        return list(listings_query(therapist_ids))
    sql, params = compiled_listings_query(len(therapist_ids), connection.vendor)
    params = [
        therapist_ids[-param - 1] if type(param) is int and param < 0 else param for param in params
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
