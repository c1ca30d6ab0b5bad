"""The search index: for each option of each facet, the roaring bitmap of the listed
therapists that have it, held in memory by each process.

A therapist's bit position is their rank in the day's fair order (therapists.models.Order),
so a page of any result is a slice of its bitmap, its total a cardinality, and the count
of an option with the other filters applied the cardinality of an intersection.

The database stays the truth. Each process builds the index on first use (before the
workers fork, with gunicorn --preload) and, before each answer, applies the change log's
newer entries (therapists.search.changes) by reading again only the listings they name.
"""

import bisect
import dataclasses
import logging
import math
import threading
import time

from django.db import connection
from django.utils import timezone
from pyroaring import BitMap

from therapists.models import EARTH_RADIUS_MILES, ListingChange, Order, Therapist, bounding_box
from therapists.search.changes import entries_seen
from therapists.search.facets import FACET, SOURCES, Kind, Vocabulary
from therapists.search.reading import fetch, read_grouped, read_listings

logger = logging.getLogger(__name__)

Change = ListingChange.Kind
# More new entries than this at once: reading everything again is cheaper.
MOST_CHANGES_APPLIED = 2_000
# Up to this many results are put in alphabetical order by sorting them; more, by walking
# the index's alphabetical list until the page is full.
SORTED_NAME_LIMIT = 3_000
NAME_SEARCH_LIMIT = 100


@dataclasses.dataclass
class Result:
    total: int
    ids: list  # the page's therapists, in order
    distances: dict  # therapist id -> miles, when searching near a ZIP code
    counts: dict = dataclasses.field(default_factory=dict)  # (param, key) -> n
    without: dict = dataclasses.field(default_factory=dict)  # param -> total without it
    wider: int | None = None  # the total within MAX_RADIUS, when the radius is smaller


def distance_miles(latitude, longitude, city_latitude, city_longitude):
    """therapists.models.miles_between(), with the same operations in the same order."""
    lat_scale = EARTH_RADIUS_MILES * math.pi / 180
    lon_scale = lat_scale * math.cos(math.radians(latitude))
    d_lat = (city_latitude - latitude) * lat_scale
    d_lon = (city_longitude - longitude) * lon_scale
    return math.sqrt(d_lat * d_lat + d_lon * d_lon)


class SearchIndex:
    def __init__(self, order, vocabulary, number=0, token=0):
        self.order = order
        self.vocabulary = vocabulary
        self.number, self.token = number, token  # the last change-log entry applied
        self.listed = BitMap()
        self.sets = {name: {} for name in SOURCES}  # source -> key -> BitMap
        self.names = {}  # position -> search name
        self.alphabetical = []  # (search name, therapist id, position), sorted
        self._dated = {}  # flag -> (day, BitMap of those for whom it holds that day)
        self._cities_by_latitude = None

    # Building and keeping current -----------------------------------------------------

    @classmethod
    def build(cls):
        started = time.perf_counter()
        number, token = latest_entry()
        index = cls(Order.current(), Vocabulary.load(), number, token)
        index.read(None)
        index.refresh()  # what changed while it was read
        logger.info(
            "search index built: %d listings in %.1f s",
            len(index.listed),
            time.perf_counter() - started,
        )
        return index

    def read(self, therapist_ids):
        """Files the listed therapists (all, or those of `therapist_ids`) under their values.

        Everyone: a query per source, grouped by value in the database, several at once
        on PostgreSQL. A few: one UNION ALL query of every source, values cast to text,
        with the listed ones among them.
        """
        if therapist_ids is None:
            self.listed.update(self.ranks(fetch(Therapist.objects.listed().values_list("id"))))
            grouped = [name for name in SOURCES if name != "name"]
            for name, rows in zip(grouped, read_grouped(grouped, self.order), strict=True):
                filed = self.sets[name]
                for value, positions in rows:
                    key = SOURCES[name].value(value) if SOURCES[name].value else value
                    bitmap = BitMap([int(position) for position in positions.split(",")])
                    bitmap &= self.listed
                    if key in filed:
                        filed[key] |= bitmap
                    else:
                        filed[key] = bitmap
            self.file("name", fetch(SOURCES["name"].read()))
            self.alphabetical = sorted(
                (name, self.order.therapist_at(position), position)
                for position, name in self.names.items()
            )
        else:
            rows = {}
            for name, therapist_id, text in read_listings(list(therapist_ids)):
                rows.setdefault(name, []).append((therapist_id, text))
            listed_ids = {therapist_id for therapist_id, _text in rows.pop("listed", [])}
            self.listed.update(self.ranks((pk,) for pk in listed_ids))
            for name, source in SOURCES.items():
                found = [
                    (therapist_id, source.parse(text))
                    for therapist_id, text in rows.get(name, [])
                    if therapist_id in listed_ids
                ]
                self.file(name, found)
            for therapist_id in listed_ids:
                position = self.order.rank(therapist_id)
                if position in self.names:
                    bisect.insort(self.alphabetical, (self.names[position], therapist_id, position))
        self._dated.clear()
        self._cities_by_latitude = None

    def ranks(self, rows):
        """The bit positions of (therapist id, ...) rows: Order.rank(), inlined for speed."""
        factor, modulus = self.order.factor, self.order.modulus
        return [pk * factor % modulus if pk < modulus else pk for pk, *_rest in rows]

    def file(self, name, rows):
        """Adds (therapist id, value) rows to the source's bitmaps, under their keys."""
        source = SOURCES[name]
        factor, modulus = self.order.factor, self.order.modulus
        if name == "name":
            for pk, value in rows:
                self.names[pk * factor % modulus if pk < modulus else pk] = value
            return
        by_value = {}
        for pk, value in rows:
            by_value.setdefault(value, []).append(pk * factor % modulus if pk < modulus else pk)
        filed = self.sets[name]
        for value, positions in by_value.items():
            key = source.value(value) if source.value else value
            if key is None:
                continue
            if key in filed:
                filed[key].update(positions)
            else:
                filed[key] = BitMap(positions)

    def forget(self, therapist_ids):
        positions = BitMap(self.order.rank(pk) for pk in therapist_ids)
        self.listed.difference_update(positions)
        for found in self.sets.values():
            for bitmap in found.values():
                if bitmap.intersect(positions):
                    bitmap.difference_update(positions)
        for position in positions:
            name = self.names.pop(position, None)
            if name is not None:
                entry = (name, self.order.therapist_at(position), position)
                at = bisect.bisect_left(self.alphabetical, entry)
                if at < len(self.alphabetical) and self.alphabetical[at] == entry:
                    del self.alphabetical[at]
        self._dated.clear()

    def apply(self, therapist_ids):
        """Reads these listings again (each as listed or unlisted now)."""
        self.forget(therapist_ids)
        self.read(therapist_ids)

    def refresh(self):
        """Applies the change log's entries newer than this index; False if it must be
        built again (a new order, a change too wide, a log compacted or rolled back)."""
        entries = list(
            ListingChange.objects.filter(number__gte=self.number)
            .order_by("number")
            .values_list("number", "token", "kind", "therapist_id")[: MOST_CHANGES_APPLIED + 1]
        )
        entries_seen(connection)
        if self.number:
            if not entries or entries[0][:2] != (self.number, self.token):
                return False
            entries = entries[1:]
        if len(entries) > MOST_CHANGES_APPLIED:
            return False
        if not entries:
            return True
        kinds = {kind for _number, _token, kind, _id in entries}
        if Change.EVERYTHING in kinds:
            return False
        if Change.VOCABULARY in kinds:
            self.vocabulary = Vocabulary.load()
            self._cities_by_latitude = None
        changed = {pk for _n, _t, kind, pk in entries if kind == Change.THERAPIST}
        if changed:
            self.apply(changed)
        self.number, self.token = entries[-1][:2]
        return True

    # Reading -----------------------------------------------------------------------------

    def bitmap(self, name, key):
        return self.sets[name].get(key) or BitMap()

    def any_of(self, name, keys):
        found = [self.sets[name][key] for key in keys if key in self.sets[name]]
        return BitMap.union(*found) if found else BitMap()

    def flag(self, param):
        """Those for whom the yes/no fact holds today."""
        if not FACET[param].dated:
            return self.bitmap(param, True)
        today = timezone.localdate()
        day, holding = self._dated.get(param, (None, None))
        if day != today:
            lasting = [bitmap for last_day, bitmap in self.sets[param].items() if last_day >= today]
            holding = BitMap.union(*lasting) if lasting else BitMap()
            self._dated[param] = (today, holding)
        return holding

    def fee_at_most(self, dollars):
        return self.any_of("fee_max", [fee for fee in self.sets["fee_max"] if fee <= dollars])

    def named(self, text):
        """Listings whose name holds the words: asked of the database (accent-free)."""
        ids = Therapist.objects.listed().named(text).values_list("id", flat=True)
        return BitMap(self.order.rank(pk) for pk in ids)

    def cities_within(self, latitude, longitude, miles):
        """[(miles, [city id, ...]), ...] nearest first: the cities with listings in range,
        as the database's bounding box and distance test would find them."""
        if self._cities_by_latitude is None:
            self._cities_by_latitude = sorted(
                (city.latitude, city.longitude, city.id)
                for city_id in self.sets["city"]
                if (city := self.vocabulary.cities.get(city_id))
                and city.latitude is not None
                and city.longitude is not None
            )
        (lat_min, lat_max), (lon_min, lon_max) = bounding_box(latitude, longitude, miles)
        cities = self._cities_by_latitude
        start = bisect.bisect_left(cities, (lat_min, -math.inf, 0))
        found = {}
        for city_latitude, city_longitude, city_id in cities[start:]:
            if city_latitude > lat_max:
                break
            if not lon_min <= city_longitude <= lon_max:
                continue
            distance = distance_miles(latitude, longitude, city_latitude, city_longitude)
            if distance <= miles:
                found.setdefault(distance, []).append(city_id)
        return sorted(found.items())

    def near(self, latitude, longitude, miles):
        rings = self.cities_within(latitude, longitude, miles)
        return self.any_of("city", [city for _miles, cities in rings for city in cities]), rings

    def filters(self, chosen):
        """The bitmap of each filter in `chosen` ({param: value as the index takes it})."""
        parts, rings = {}, None
        for param, value in chosen.items():
            kind = FACET[param].kind
            if kind == Kind.OPTIONS:
                parts[param] = self.any_of(param, value)
            elif kind == Kind.CHOICE:
                parts[param] = self.bitmap(param, value)
            elif kind == Kind.FLAG:
                parts[param] = self.flag(param)
            elif kind == Kind.RANGE:
                parts[param] = self.fee_at_most(value)
            elif kind == Kind.DISTANCE:
                parts[param], rings = self.near(*value)
            elif kind == Kind.TEXT:
                parts[param] = self.named(value)
        return parts, rings

    def matching(self, parts, skip=None):
        chosen = sorted((bm for param, bm in parts.items() if param != skip), key=len)
        return BitMap.intersection(*chosen, self.listed) if chosen else self.listed

    def search(self, chosen, order="rank", start=0, stop=20, counts=False, wider_miles=None):
        """A page of the listings matching every filter in `chosen`, in `order` ("rank":
        the fair order; "name"; "distance", with a "near" filter), and with `counts`, each
        option's count with the other filters applied."""
        parts, rings = self.filters(chosen)
        result = self.matching(parts)
        if order == "distance" and rings is not None:
            page = self.nearest(result, rings, stop)[start:stop]
        elif order == "name":
            page = self.alphabetical_page(result, start, stop)
        else:
            page = list(result[start:stop])
        found = Result(len(result), [self.order.therapist_at(position) for position in page], {})
        if rings is not None:
            found.distances = self.distances(page, rings)
        if counts:
            self.count(found, chosen, parts, result, wider_miles)
        return found

    def distances(self, positions, rings):
        """{therapist id: miles to their nearest office} for positions within the rings."""
        rings = list(self.ring_bitmaps(rings))
        found = {}
        for position in positions:
            miles = next((miles for miles, ring in rings if position in ring), None)
            if miles is not None:
                found[self.order.therapist_at(position)] = miles
        return found

    def ring_bitmaps(self, rings):
        for miles, cities in rings:
            yield miles, self.any_of("city", cities)

    def nearest(self, result, rings, limit):
        """The first `limit` result positions, nearest first; ties in the fair order."""
        ordered, seen = [], BitMap()
        for _miles, ring in self.ring_bitmaps(rings):
            ring &= result
            ring -= seen
            seen |= ring
            ordered.extend(ring[: limit - len(ordered)])
            if len(ordered) >= limit:
                break
        return ordered

    def alphabetical_page(self, result, start, stop):
        if len(result) <= SORTED_NAME_LIMIT:
            order = self.order
            ranked = sorted(result, key=lambda p: (self.names.get(p, ""), order.therapist_at(p)))
            return ranked[start:stop]
        page, seen = [], 0
        if stop <= start:
            return page
        for _name, _id, position in self.alphabetical:
            if position in result:
                if seen >= start:
                    page.append(position)
                    if len(page) == stop - start:
                        break
                seen += 1
        return page

    def count(self, found, chosen, parts, result, wider_miles):
        for param, options in self.vocabulary.options.items():
            if FACET[param].kind != Kind.OPTIONS:
                continue
            base = self.matching(parts, skip=param) if param in parts else result
            filed = self.sets[param]
            keys = filed.keys() if param == "city" else [o.id for o in options]
            for key in keys:
                if key in filed and (n := filed[key].intersection_cardinality(base)):
                    found.counts[(param, key)] = n
        for param in FACET:
            if FACET[param].kind == Kind.FLAG:
                base = self.matching(parts, skip=param) if param in parts else result
                found.counts[(param, True)] = self.flag(param).intersection_cardinality(base)
        for param in parts:
            found.without[param] = len(self.matching(parts, skip=param))
        if wider_miles and "near" in chosen and chosen["near"][2] < wider_miles:
            latitude, longitude, _miles = chosen["near"]
            wider, _rings = self.near(latitude, longitude, wider_miles)
            found.wider = wider.intersection_cardinality(self.matching(parts, skip="near"))

    # For the other pages -------------------------------------------------------------

    def specialists(self, modality_id):
        return self.bitmap("modality", modality_id).intersection_cardinality(self.listed)

    def quoted_specialists(self, modality_id, size):
        """The first `size` listings in the fair order with a live quote on the modality,
        real ones first: demo listings only fill the places real ones leave, so `make run`'s
        fiction never hides a real specialist's words (the seeded IPT page's ten)."""
        quoted = BitMap.intersection(
            self.bitmap("live_quote", modality_id), self.bitmap("modality", modality_id)
        )
        demo = self.bitmap("demo", True)
        chosen = [*(quoted - demo)[:size], *(quoted & demo)[:size]][:size]
        return [self.order.therapist_at(position) for position in chosen]

    def best_matches(self, candidates, needs, size):
        """The `size` candidates meeting most of the `needs` (bitmaps), ties in the fair
        order: [(therapist id, [met?, ...]), ...]."""
        # at_least[k]: the candidates meeting k needs or more.
        at_least = [BitMap(candidates)] + [BitMap() for _need in needs]
        for need in needs:
            for k in range(len(needs), 0, -1):
                at_least[k] |= at_least[k - 1] & need
        chosen = []
        for k in range(len(needs), -1, -1):
            exactly = at_least[k] - at_least[k + 1] if k < len(needs) else at_least[k]
            chosen.extend(exactly[: size - len(chosen)])
            if len(chosen) >= size:
                break
        return [
            (self.order.therapist_at(position), [position in need for need in needs])
            for position in chosen
        ]

    def stats(self):
        return {
            "listings": len(self.listed),
            "bitmaps": sum(len(found) for found in self.sets.values()),
            "bitmap_bytes": sum(
                sum(statistics[f"n_bytes_{kind}_containers"] for kind in ("array", "bitset", "run"))
                for found in self.sets.values()
                for statistics in (bitmap.get_statistics() for bitmap in found.values())
            ),
        }


def latest_entry():
    """The (number, token) of the change log's newest entry, or (0, 0) for an empty log."""
    newest = ListingChange.objects.order_by("-number").values_list("number", "token").first()
    return newest or (0, 0)


_index = None
_lock = threading.RLock()


def current_index():
    """This process's index, current with the database: one query when nothing changed.

    Hold `index_lock()` while reading from it, so no other thread applies a change mid-way.
    """
    global _index
    with _lock:
        if _index is None or not _index.refresh():
            _index = SearchIndex.build()
        return _index


def index_lock():
    return _lock


def forget_index():
    """Drops this process's index (tests; a worker whose database was replaced)."""
    global _index
    with _lock:
        _index = None
