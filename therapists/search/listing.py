"""What a listing page shows besides its cards: facet options with counts, the
suggestions for an empty result, the canonical address, related and nearby searches.
All from the index's answer and the vocabulary in memory: no query."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from modalities.templatetags.translated import in_its_language
from therapists.search.facets import FACET, FACETS, FLAGS, OPTION_FACETS, Kind
from therapists.search.filterset import MAX_RADIUS, ORDERS
from therapists.search.index import distance_miles
from therapists.states import USState

NEARBY_CITIES = 6
NEARBY_MILES = 50
CITIES_SHOWN = 12
# Shown open in the filters: what most people search by (the place is the form's own).
OPEN_FACETS = {"modality", "accepting"}
# Only these parameters describe a listing; anything else (utm_*, fbclid...) is noise.
LISTING_PARAMS = [facet.param for facet in FACETS] + ["radius", "order"]


class ListingPage:
    def __init__(self, filterset, result, request, index):
        self.filterset = filterset
        self.index = index
        self.result = result
        self.request = request
        self.vocabulary = filterset.vocabulary
        self.data = filterset.data if filterset.is_bound else {}
        self.valid = filterset.valid
        self.offer_listed_states()

    def offer_listed_states(self):
        """The state select offers the states someone is listed in, and the chosen one.

        Only what is drawn changes (the widget's choices; the form has validated), so a
        link to any state still works. All fifty-six would be a tenth of the page's weight.
        """
        chosen = self.data.get("state") if self.data else None
        widget = self.filterset.form.fields["state"].widget
        widget.choices = [
            (code, label)
            for code, label in widget.choices
            if not code or code == chosen or self.index.bitmap("state", code)
        ]

    def selected(self, param):
        return set(self.data.getlist(param)) if self.data else set()

    @cached_property
    def facet_groups(self):
        """Each facet's options with their counts; options without results are left out
        unless selected, so no choice leads to an empty page."""
        counts = self.result.counts
        groups = []
        for param in OPTION_FACETS:
            chosen = self.selected(param)
            options = self.vocabulary.options.get(param, [])
            if param == "city":
                # The cities with the most results, and the chosen ones, in the vocabulary's
                # alphabetical order (name, then state): a list people scan for their own.
                most = sorted(
                    (o for o in options if counts.get(("city", o.id))),
                    key=lambda o: -counts[("city", o.id)],
                )[:CITIES_SHOWN]
                shown = {o.id for o in most}
                options = [o for o in options if o.id in shown or o.slug in chosen]
            visible = []
            for option in options:
                count = counts.get((param, option.id), 0)
                selected = option.slug in chosen
                if selected or count or not self.valid:
                    visible.append(
                        {
                            "slug": option.slug,
                            "name": option.name,
                            "count": count,
                            "selected": selected,
                        }
                    )
            if visible:
                groups.append({"param": param, "label": FACET[param].label, "options": visible})
        return groups

    @cached_property
    def open_fieldsets(self):
        """The most used facets' groups as HTML, shown open (see folded_fieldsets)."""
        return fieldsets(g for g in self.facet_groups if g["param"] in OPEN_FACETS)

    @cached_property
    def folded_fieldsets(self):
        """The other groups, each folded in a <details> (open if something in it is chosen).
        HTML built here rather than by a template: a page holds a hundred or more options,
        and the template engine's per-node cost is most of it."""
        return format_html_join(
            "\n",
            '<details class="facet-group"{}><summary>{}</summary>{}</details>',
            (
                (
                    " open" if any(o["selected"] for o in group["options"]) else "",
                    group["label"],
                    fieldsets([group]),
                )
                for group in self.facet_groups
                if group["param"] not in OPEN_FACETS
            ),
        )

    @cached_property
    def open_flag_checkboxes(self):
        return checkboxes(None, [f for f in self.flags if f["param"] in OPEN_FACETS])

    @cached_property
    def flag_checkboxes(self):
        return checkboxes(None, [f for f in self.flags if f["param"] not in OPEN_FACETS])

    @property
    def flags_chosen(self):
        return any(f["selected"] for f in self.flags if f["param"] not in OPEN_FACETS)

    @cached_property
    def flags(self):
        return [
            {
                "param": param,
                "label": FACET[param].label,
                "count": self.result.counts.get((param, True)),
                "selected": bool(self.data and self.data.get(param)),
            }
            for param in FLAGS
        ]

    def pairs(self):
        """The listing's (name, value) parameters in the order given, each value once,
        without empty values, pages or noise (a landing page's city and modality last)."""
        if not self.data:
            return []
        seen = dict.fromkeys(
            (name, value)
            for name in self.data
            if name in LISTING_PARAMS and self.means_something(name)
            for value in self.data.getlist(name)
            if value
        )
        return list(seen)

    def address(self, pairs):
        """The listing's address for these parameters: a landing page if they amount to one."""
        names = [name for name, _value in pairs]
        one_each = names.count("city") == 1 and names.count("modality") <= 1
        if one_each and set(names) <= {"city", "modality"}:
            chosen = dict(pairs)
            city = self.vocabulary.find("city", chosen["city"])
            if city and (landing := self.vocabulary.cities.get(city.id)):
                return landing.landing_url(chosen.get("modality"))
        query = urlencode(pairs)
        return reverse("therapists:list") + (f"?{query}" if query else "")

    @cached_property
    def active_filters(self):
        """Each filter in use, named, with the address of this search without it."""
        if not self.valid or not self.filterset.chosen:
            return []
        pairs = self.pairs()
        found = []
        for name, value in pairs:
            if name in ("radius", "order"):
                continue
            label = self.filter_label(name, value)
            if label is None:
                continue
            # The radius means nothing without the ZIP code: it goes with it.
            kept = [
                pair
                for pair in pairs
                if pair != (name, value) and not (name == "near" and pair[0] == "radius")
            ]
            found.append({"label": label, "url": self.address(kept)})
        return found

    def filter_label(self, name, value):
        facet = FACET[name]
        if facet.kind == Kind.OPTIONS:
            option = self.vocabulary.find(name, value)
            return option.name if option else None
        if facet.kind == Kind.CHOICE:
            return USState(value).label if value in USState.values else None
        if facet.kind == Kind.FLAG:
            return facet.label
        if facet.kind == Kind.RANGE:
            return _("Fee up to $%(fee)s") % {"fee": self.filterset.chosen.get(name)}
        if facet.kind == Kind.DISTANCE:
            return _("Within %(miles)d miles of %(zip)s") % {
                "miles": self.filterset.radius_miles,
                "zip": self.filterset.chosen.get(name),
            }
        return _("Name: “%(text)s”") % {"text": value.strip()}

    @cached_property
    def orders(self):
        """The orders this search can be shown in, each with its address (page 1)."""
        kept = [
            (name, value)
            for name, values in self.request.GET.lists()
            if name not in ("order", "page")
            for value in values
        ]
        near = "near" in self.filterset.chosen
        current = self.filterset.sort
        offered = [("distance" if near else "rank", None), ("name", "name")]
        labels = {"rank": _("Fair daily rotation"), "distance": _("Distance"), **dict(ORDERS)}
        return [
            {
                "label": labels[sort],
                "url": self.request.path
                + query_string(kept + ([("order", value)] if value else [])),
                "current": sort == current,
            }
            for sort, value in offered
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
        if not self.valid or self.result.total:
            return []
        found = []
        for param, count in self.result.without.items():
            if count:
                found.append(
                    {
                        "text": _("Remove “%(filter)s”") % {"filter": FACET[param].label},
                        "url": self.url_without(param, "radius" if param == "near" else ""),
                        "count": count,
                    }
                )
        if self.result.wider:
            found.append(
                {
                    "text": _("Search within %(miles)d miles") % {"miles": MAX_RADIUS},
                    "url": self.url_without("radius", radius=MAX_RADIUS),
                    "count": self.result.wider,
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
            if any(self.data.getlist(key)) and self.means_something(key)
        }

    def means_something(self, param):
        # A radius without a ZIP code (one cleared, the distance kept) changes nothing:
        # not a search of its own.
        return param != "radius" or "near" in self.filterset.chosen

    @cached_property
    def landing_city(self):
        """The city of a landing page (or of filters that amount to one), else None."""
        params = self.normalized
        cities, modalities = params.get("city", []), params.get("modality", [])
        if len(cities) != 1 or set(params) - {"city", "modality"} or len(modalities) > 1:
            return None
        return self.vocabulary.cities.get(self.vocabulary.find("city", cities[0]).id)

    @cached_property
    def landing(self):
        """The landing page address these filters amount to, if they amount to one."""
        if not self.landing_city:
            return None
        return self.landing_city.landing_url(self.normalized.get("modality", [None])[0])

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
    def related_modalities(self):
        """Other kinds of therapy practised in the landing page's city, with their pages."""
        if not self.landing_city:
            return []
        chosen = set(self.normalized.get("modality", []))
        counts = self.result.counts
        return [
            {
                "name": option.name,
                "count": counts[("modality", option.id)],
                "url": self.landing_city.landing_url(option.slug),
            }
            for option in self.vocabulary.options.get("modality", [])
            if option.slug not in chosen and counts.get(("modality", option.id))
        ]

    @cached_property
    def nearby_cities(self):
        """The closest other cities with listed therapists (landing pages only)."""
        here = self.landing_city
        if not here or here.latitude is None or here.longitude is None:
            return []
        modality = self.normalized.get("modality", [None])[0]
        practising = None
        if modality:  # cities whose own page for this kind of therapy has someone on it
            practising = self.index.bitmap(
                "modality", self.vocabulary.find("modality", modality).id
            )
        listed = [
            city_id
            for city_id, bitmap in self.index.sets["city"].items()
            if (bitmap.intersection_cardinality(practising) if practising is not None else bitmap)
        ]
        others = [
            (distance_miles(here.latitude, here.longitude, city.latitude, city.longitude), city)
            for city_id in listed
            if city_id != here.id
            and (city := self.vocabulary.cities.get(city_id))
            and city.latitude is not None
            and city.longitude is not None
        ]
        # Near means near: the six closest of all would reach another state wherever few
        # cities have listings (Renton, WA for Los Angeles).
        others = [(miles, city) for miles, city in others if miles <= NEARBY_MILES]
        return [
            {"name": str(city), "url": city.landing_url(modality)}
            for _miles, city in sorted(others, key=lambda pair: (pair[0], pair[1].slug))[
                :NEARBY_CITIES
            ]
        ]


def fieldsets(groups):
    return format_html_join(
        "\n",
        '<fieldset class="facet"><legend>{}</legend>{}</fieldset>',
        ((group["label"], checkboxes(group["param"], group["options"])) for group in groups),
    )


def query_string(pairs):
    return f"?{urlencode(pairs)}" if pairs else ""


def checkboxes(param, options):
    """Labelled checkboxes, each with its count; `param` None: each option names its own.

    A listing draws a hundred of these, so each is as short as it can be: no list around
    them (their fieldset groups them), the count a <small>, not a classed span."""
    return format_html_join(
        "",
        '<label><input type="checkbox" name="{}" value="{}"{}> {}{}</label>',
        (
            (
                param or option["param"],
                option.get("slug", "on"),
                " checked" if option["selected"] else "",
                in_its_language(option.get("name") or option["label"]),
                format_html(" <small>({})</small>", option["count"])
                if option["count"] is not None
                else "",
            )
            for option in options
        ),
    )
