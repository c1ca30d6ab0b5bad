"""The path converter for row ids in URLs: <id:pk>.

An id too large for the database's bigint matches no URL (a 404) instead of reaching a
query, where SQLite raises OverflowError (a 500) and PostgreSQL an error of its own.
Importing this module registers it.
"""

from django.urls import register_converter

# The largest id a bigint (the default primary key) holds.
MAX_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value):
        number = int(value)
        if not 0 < number <= MAX_ID:
            raise ValueError(f"{value} is not a row id")
        return number

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")
