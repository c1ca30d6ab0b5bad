"""Compiles every locale/*/LC_MESSAGES/django.po into the .mo that Django reads.

`make install` runs it, so `make run` serves the Spanish edition. polib writes the .mo
itself: no GNU gettext needed on the machine (only `makemessages` needs it, to update the
.po files).
"""

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def main():
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        catalog = polib.pofile(str(po_path))
        catalog.save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"compiled {po_path.relative_to(LOCALE.parent)}: {catalog.percent_translated()}%")


if __name__ == "__main__":
    sys.exit(main())
