"""Fill Welsh translations into the catalogue from a Python file of {msgid: msgstr} (dev tool).

Usage: .venv/bin/python scripts/po-fill.py TRANSLATIONS.py
The file defines T = {msgid: msgstr} and optionally PLURAL = {msgid: [four forms]}. Entries
that match are filled and their fuzzy flag cleared; the command lists what is still empty.
"""

import runpy
import sys

import polib

PO = "infuse/locale/cy/LC_MESSAGES/django.po"

values = runpy.run_path(sys.argv[1])
singles, plurals = values.get("T", {}), values.get("PLURAL", {})
catalogue = polib.pofile(PO, wrapwidth=79)
for entry in catalogue:
    if entry.obsolete:
        continue
    if entry.msgid_plural and entry.msgid in plurals:
        entry.msgstr_plural = dict(enumerate(plurals[entry.msgid]))
    elif entry.msgid in singles:
        entry.msgstr = singles[entry.msgid]
    else:
        continue
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    entry.previous_msgid = entry.previous_msgid_plural = None
catalogue.save()
left = [e.msgid for e in catalogue.untranslated_entries() + catalogue.fuzzy_entries()]
print(f"{len(left)} entries still need Welsh" + (":" if left else "."))
for msgid in left:
    print("  " + repr(msgid))
