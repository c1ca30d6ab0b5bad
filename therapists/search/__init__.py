"""The directory's search: a facet table (facets.py), a roaring-bitmap index of the listed
therapists in each process's memory (index.py), kept current from a change log written
with every edit (changes.py), a filter form (filterset.py) and the listing's view model
(listing.py)."""

from therapists.search.index import Result, current_index, forget_index, index_lock

__all__ = ["Result", "current_index", "forget_index", "index_lock"]
