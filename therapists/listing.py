"""What a listing page shows besides its results: facet options with counts, the
suggestions for an empty result, and the canonical address for search engines."""

from urllib.parse import urlencode

from django.db.models import Exists, F, OuterRef, Subquery
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from therapists.filters import BOOLEAN_FACETS, FACETS, MAX_RADIUS
from therapists.models import City, Location

NEARBY_CITIES = 6

CITIES_SHOWN = 12
# Only these parameters describe a listing; anything else (utm_*, fbclid...) is noise.
LISTING_PARAMS = [facet.param for facet in FACETS] + [
    "q",
    "gender",
    "state",
    "near",
    "radius",
    "fee_max",
    *BOOLEAN_FACETS,
    "order",
]


class ListingPage:
    def __init__(self, filterset, request):
        self.filterset = filterset
        self.request = request
        self.data = filterset.data if filterset.is_bound else {}
        self.valid = not filterset.is_bound or filterset.is_valid()

    def selected(self, param):
        return set(self.data.getlist(param)) if self.data else set()

    @cached_property
    def facet_groups(self):
        """Each facet's options with their counts; options without results are left out
        unless selected, so no choice leads to an empty page."""
        counts, cities = self.filterset.counts
        groups = []
        for facet in FACETS:
            chosen = self.selected(facet.param)
            if facet.param == "city":
                options = sorted(cities, key=lambda o: -o.count)[:CITIES_SHOWN]
                shown = {o.slug for o in options}
                options += [
                    o
                    for o in self.filterset.vocabulary.options.get("city", [])
                    if o.slug in chosen and o.slug not in shown
                ]
            else:
                options = self.filterset.vocabulary.options.get(facet.param, [])
                for option in options:
                    option.count = counts.get((facet.param, option.id), 0)
            for option in options:
                option.selected = option.slug in chosen
            visible = [o for o in options if o.selected or (o.count or not self.valid)]
            if visible:
                groups.append({"param": facet.param, "label": facet.label, "options": visible})
        return groups

    @cached_property
    def flags(self):
        counts, _cities = self.filterset.counts
        form = self.filterset.form
        return [
            {
                "param": param,
                "label": form.fields[param].label,
                "count": counts.get((param, 1)),
                "selected": bool(self.data and self.data.get(param)),
            }
            for param in BOOLEAN_FACETS
        ]

    def url_without(self, *params, **changes):
        data = {
            key: self.data.getlist(key)
            for key in LISTING_PARAMS
            if self.data and key not in params and self.data.getlist(key)
        }
        data.update({key: [str(value)] for key, value in changes.items()})
        query = urlencode(data, doseq=True)
        return reverse("therapists:list") + (f"?{query}" if query else "")

    @cached_property
    def suggestions(self):
        """Single changes that give results, with how many, most results first."""
        if not self.valid or self.filterset.total:
            return []
        counts, _cities = self.filterset.counts
        found = []
        labels = {facet.param: facet.label for facet in FACETS}
        labels.update({param: self.filterset.form.fields[param].label for param in BOOLEAN_FACETS})
        labels.update(
            {
                "q": _("Name"),
                "gender": _("Therapist's gender"),
                "state": _("State"),
                "near": _("Near ZIP code"),
                "fee_max": _("Fee per session"),
            }
        )
        for param in self.filterset.active:
            count = counts.get(("without", param), 0)
            if count:
                found.append(
                    {
                        "text": _("Remove “%(filter)s”") % {"filter": labels.get(param, param)},
                        "url": self.url_without(param, "radius" if param == "near" else ""),
                        "count": count,
                    }
                )
        if counts.get(("wider", MAX_RADIUS)):
            found.append(
                {
                    "text": _("Search within %(miles)d miles") % {"miles": MAX_RADIUS},
                    "url": self.url_without("radius", radius=MAX_RADIUS),
                    "count": counts[("wider", MAX_RADIUS)],
                }
            )
        return sorted(found, key=lambda s: -s["count"])

    @cached_property
    def normalized(self):
        """The listing's parameters, sorted and without empty values or noise."""
        if not self.data or not self.valid:
            return {}
        return {
            key: sorted(set(self.data.getlist(key)))
            for key in sorted(LISTING_PARAMS)
            if any(self.data.getlist(key))
        }

    @cached_property
    def landing(self):
        """The landing page address these filters amount to, if they amount to one."""
        params = self.normalized
        cities, modalities = params.get("city", []), params.get("modality", [])
        if len(cities) != 1 or set(params) - {"city", "modality"} or len(modalities) > 1:
            return None
        city = self.filterset.vocabulary.find("city", cities[0])
        state = city.name.rsplit(", ", 1)[1].lower()
        kwargs = {"state": state, "city": city.slug.removesuffix(f"-{state}")}
        if modalities:
            return reverse("therapists:city_modality", kwargs={**kwargs, "modality": modalities[0]})
        return reverse("therapists:city", kwargs=kwargs)

    @cached_property
    def canonical(self):
        page = self.request.GET.get("page")
        suffix = {"page": page} if page and page != "1" and page.isdigit() else {}
        if self.landing:
            return self.landing + (f"?{urlencode(suffix)}" if suffix else "")
        query = urlencode({**self.normalized, **suffix}, doseq=True)
        return reverse("therapists:list") + (f"?{query}" if query else "")

    @property
    def indexable(self):
        """Search engines index the plain directory and the landing pages, nothing else."""
        return self.valid and (self.landing is not None or not self.normalized)

    @cached_property
    def landing_city(self):
        """The city of a landing page (or of filters that amount to one), else None."""
        if not self.landing:
            return None
        return self.filterset.vocabulary.find("city", self.normalized["city"][0])

    @cached_property
    def related_modalities(self):
        """Other kinds of therapy practised in the landing page's city, with their pages."""
        if not self.landing_city:
            return []
        chosen = set(self.normalized.get("modality", []))
        counts, _cities = self.filterset.counts
        city = City(slug=self.landing_city.slug, state=self.landing_city.name[-2:])
        return [
            {
                "name": option.name,
                "count": counts.get(("modality", option.id), 0),
                "url": reverse(
                    "therapists:city_modality",
                    kwargs={
                        "state": city.state.lower(),
                        "city": city.path_name,
                        "modality": option.slug,
                    },
                ),
            }
            for option in self.filterset.vocabulary.options.get("modality", [])
            if option.slug not in chosen and counts.get(("modality", option.id))
        ]

    @cached_property
    def nearby_cities(self):
        """The closest other cities with listed therapists: one query, landing pages only."""
        if not self.landing_city:
            return []
        origin = City.objects.filter(pk=self.landing_city.id)
        d_lat = F("latitude") - Subquery(origin.values("latitude"))
        d_lon = F("longitude") - Subquery(origin.values("longitude"))
        cities = (
            City.objects.exclude(pk=self.landing_city.id)
            .filter(latitude__isnull=False)
            .filter(Exists(Location.objects.filter(city=OuterRef("pk"), therapist__is_listed=True)))
            .annotate(nearness=d_lat * d_lat + d_lon * d_lon)
            .filter(nearness__isnull=False)
            .order_by("nearness")[:NEARBY_CITIES]
        )
        modality = self.normalized.get("modality", [None])[0]
        return [
            {
                "name": str(city),
                "url": reverse(
                    "therapists:city_modality",
                    kwargs={
                        "state": city.state.lower(),
                        "city": city.path_name,
                        "modality": modality,
                    },
                )
                if modality
                else city.get_absolute_url(),
            }
            for city in cities
        ]
