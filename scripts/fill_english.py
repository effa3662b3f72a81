"""The English catalogue says what the source says: copy every msgid into its msgstr (run by `make messages`)."""

from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"

po = polib.pofile(str(PO))
for entry in po:
    if entry.msgid_plural:
        entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
    else:
        entry.msgstr = entry.msgid
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = None
po.save()
