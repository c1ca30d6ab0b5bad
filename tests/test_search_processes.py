"""Each process's search index keeps up with edits committed by another process.

gunicorn serves the production recipe's build (tests/production.py) with its two workers;
each worker builds its own index on its first listing. A staff edit is then committed by
another process (`manage.py shell`, as the admin's worker is to the others), and each
worker's next answer shows it: the count, the facet's count and the card. The page cache
is off for this server, so every answer comes from the index, and the access log names
the worker that gave each one, so the test knows both answered before and after.
"""

import http.client
import re
import time
from urllib.parse import urlsplit

import pytest

from tests.production import HOST, production_site

MODALITY = "cognitive-behavioral-therapy"  # in the seed's vocabulary; nobody practises it yet
LISTING = f"/therapists/?modality={MODALITY}"
# Which worker answered which request, in gunicorn's own log.
ACCESS_LOG = "--access-logfile - --access-logformat 'served %(p)s %(U)s?%(q)s'"


@pytest.fixture(scope="module")
def site():
    with production_site() as site:
        yield site


@pytest.fixture(scope="module")
def server(site):
    with site.serve(GUNICORN_CMD_ARGS=ACCESS_LOG, PAGE_CACHE_SECONDS="0") as server:
        yield server


class Visitor:
    """Asks the same listing of both workers at once, so that each of them answers."""

    def __init__(self, server):
        self.server = server
        self.visits = 0

    def connection(self):
        parts = urlsplit(self.server.url)
        return http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def ask(self, connection, path):
        self.visits += 1
        marked = f"{path}&visit={self.visits}"  # a parameter the listing ignores
        connection.request("GET", marked, headers={"Host": HOST, "X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        assert response.status == 200, marked
        return self.worker(marked), response.read().decode()

    def worker(self, path):
        """The process id the access log gives for that request."""
        line = re.compile(rf"^served <(\d+)> {re.escape(path)}$", re.MULTILINE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if found := line.search(self.server.log.read_text()):
                return int(found.group(1))
            time.sleep(0.05)
        raise AssertionError(f"{path} is not in the access log")

    def both_workers(self, path):
        """{worker: page}: a worker that has taken a connection serves nothing else until
        its request comes, so the second request goes to the other worker."""
        held, other = self.connection(), self.connection()
        try:
            held.connect()
            time.sleep(0.5)  # taken by a worker by now
            answers = dict([self.ask(other, path), self.ask(held, path)])
        finally:
            held.close()
            other.close()
        assert len(answers) == 2, f"one worker answered both: {sorted(answers)}"
        return answers


def shown(page):
    """(the total, the modality's count in its facet, the names on the cards)."""
    total = re.search(r'<h2 id="results-heading">(\d+) therapists?</h2>', page).group(1)
    option = re.search(rf'value="{MODALITY}" checked>[^<]*(?:<small>\((\d+)\)</small>)?', page)
    cards = re.findall(r'<article class="card">.*?<h3><a href="[^"]*"[^>]*>([^<]*)</a>', page, re.S)
    return int(total), int(option.group(1) or 0), cards


def edit(site, code):
    """Runs the edit in a process of its own, which commits it."""
    site.shell(
        "from modalities.models import Modality\n"
        "from therapists.models import Therapist\n"
        "steven = Therapist.objects.get(slug='steven-su')\n" + code
    )


def test_each_worker_shows_an_edit_committed_by_another_process(site, server):
    visitor = Visitor(server)
    before = visitor.both_workers(LISTING)  # each worker builds its index
    assert [shown(page) for page in before.values()] == [(0, 0, [])] * 2

    edit(site, f"steven.modalities.add(Modality.objects.get(slug='{MODALITY}'))\n")
    after = visitor.both_workers(LISTING)
    # The same two workers, with the indexes they built before the edit.
    assert after.keys() == before.keys()
    assert [shown(page) for page in after.values()] == [(1, 1, ["Steven Su"])] * 2

    edit(site, "steven.is_listed = False\nsteven.save()\n")
    unlisted = visitor.both_workers(LISTING)
    assert unlisted.keys() == before.keys()
    assert [shown(page) for page in unlisted.values()] == [(0, 0, [])] * 2
