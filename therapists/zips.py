"""US ZIP code coordinates, offline, from the zipcodes package (GeoNames data, CC BY 4.0)."""

import functools
import re

import zipcodes

ZIP_PATTERN = re.compile(r"\d{5}")


@functools.cache
def _points():
    return {
        record["zip_code"]: (float(record["lat"]), float(record["long"]), record["state"])
        for record in zipcodes.list_all()
        if record["lat"] and record["long"]
    }


def zip_point(zip_code):
    """(latitude, longitude) of a five-digit ZIP code, or None if unknown."""
    record = _points().get(zip_code) if ZIP_PATTERN.fullmatch(zip_code or "") else None
    return record[:2] if record else None


def zip_state(zip_code):
    """The state a ZIP code lies in ('CA'), or None if unknown."""
    record = _points().get(zip_code) if ZIP_PATTERN.fullmatch(zip_code or "") else None
    return record[2] if record else None
