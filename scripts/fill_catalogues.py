"""Fill both catalogues after makemessages (run by `make messages`), and leave them clean.

English says what the source says: every msgid is copied into its msgstr. Chinese comes from
locale/fragments/*.po: engineers working side by side write their new translations into a fragment of their
own instead of editing locale/zh_Hans at the same time; `make messages` (under a lock) regenerates the
catalogue and takes every translation a fragment gives for an entry that is empty or fuzzy. A fragment's
entries that the catalogue already holds translated are left as the catalogue has them.

When msgmerge meets a new msgid close to an old one it guesses: it flags the entry fuzzy, copies the old
translation and keeps what it guessed from as ``#|`` lines (``--previous``: the old msgctxt, msgid and
msgid_plural). Once an entry is translated the guess means nothing, so ``settle`` drops the flag and every
``#|`` line, the context's too, and no ``#|`` line stays on an entry that is not fuzzy: a second
`make messages` then changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "{}" / "LC_MESSAGES" / "django.po"


def settle(entry: polib.POEntry) -> None:
    """The entry is translated: no fuzzy flag, no trace of msgmerge's guess."""
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    entry.previous_msgctxt = entry.previous_msgid = entry.previous_msgid_plural = None


def translated(entry: polib.POEntry) -> bool:
    return not entry.fuzzy and bool(entry.msgstr or any(entry.msgstr_plural.values()))


def fill_english(po: polib.POFile) -> None:
    for entry in po:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        settle(entry)


def key(entry: polib.POEntry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


def fragments(folder: Path) -> dict[tuple[str | None, str], polib.POEntry]:
    known = {}
    for fragment in sorted(folder.glob("*.po")):
        for entry in polib.pofile(str(fragment)):
            if entry.msgstr or entry.msgstr_plural:
                known[key(entry)] = entry
    return known


def fill_chinese(po: polib.POFile, known: dict[tuple[str | None, str], polib.POEntry]) -> tuple[int, int]:
    """Translate what is empty or fuzzy from the fragments; (how many filled, how many still untranslated)."""
    filled = missing = 0
    for entry in po:
        if translated(entry):
            settle(entry)  # a `#|` left by an older run on an entry that is no longer fuzzy
            continue
        source = known.get(key(entry))
        if source is None:
            missing += 1
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = dict(source.msgstr_plural) or {0: source.msgstr}
        else:
            entry.msgstr = source.msgstr
        settle(entry)
        filled += 1
    return filled, missing


def main() -> None:
    english = polib.pofile(str(CATALOGUE).format("en"))
    fill_english(english)
    english.save()
    chinese = polib.pofile(str(CATALOGUE).format("zh_Hans"))
    filled, missing = fill_chinese(chinese, fragments(ROOT / "locale" / "fragments"))
    chinese.save()
    print(f"zh_Hans: {filled} filled from fragments, {missing} still untranslated")


if __name__ == "__main__":
    main()
