"""Fill the Chinese catalogue from locale/fragments/*.po (run by `make messages`).

Engineers working side by side write their new Chinese translations into a fragment of their own
instead of editing locale/zh_Hans at the same time; `make messages` (under a lock) regenerates the
catalogue and takes every translation a fragment gives for an entry that is empty or fuzzy. A
fragment's entries that the catalogue already holds translated are left as the catalogue has them.
"""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def key(entry: polib.POEntry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


known: dict = {}
for fragment in sorted((ROOT / "locale" / "fragments").glob("*.po")):
    for entry in polib.pofile(str(fragment)):
        if entry.msgstr or entry.msgstr_plural:
            known[key(entry)] = entry

po = polib.pofile(str(PO))
filled = missing = 0
for entry in po:
    untranslated = entry.fuzzy or not (entry.msgstr or any(entry.msgstr_plural.values()))
    if not untranslated:
        continue
    source = known.get(key(entry))
    if source is None:
        missing += 1
        continue
    if entry.msgid_plural:
        entry.msgstr_plural = dict(source.msgstr_plural) or {0: source.msgstr}
    else:
        entry.msgstr = source.msgstr
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    entry.previous_msgid = entry.previous_msgid_plural = None
    filled += 1
po.save()
print(f"zh_Hans: {filled} filled from fragments, {missing} still untranslated")
