"""How a person's name is shown: one rule for the top bar, timelines, the API and messages.

Chinese names are family name first with no space (林晓峰), in either language of the interface;
Western names keep their own order (Wei Li stays as typed: given, then family).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext

# CJK ideographs (the unified block and extension A) and the interpunct used between transliterated names.
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
HONORIFIC_ZH = "师傅"


def is_chinese(text: str) -> bool:
    return bool(_CJK.search(text or ""))


def full_name(family: str, given: str) -> str:
    """The name as people write it: 林晓峰 (family first, no space), or "Wei Li" for a Western name."""
    family, given = (family or "").strip(), (given or "").strip()
    if not family or not given:
        return family or given
    if is_chinese(family) or is_chinese(given):
        return f"{family}{given}"
    return f"{given} {family}"


def display_name(user) -> str:
    """A user's name for any reader; the username when no name is on file. Empty for no user."""
    if user is None:
        return ""
    return full_name(user.last_name, user.first_name) or user.get_username()


def with_honorific(name: str) -> str:
    """A technician's name as the customer is told it: 李建军师傅 / "Technician Li Jianjun", the honorific once.

    A name that already carries it (an older record typed as 李师傅) is not given a second one.
    """
    name = (name or "").strip()
    if not name:
        return ""
    if name.endswith(HONORIFIC_ZH):
        name = name[: -len(HONORIFIC_ZH)].strip() or name
        if name == HONORIFIC_ZH:
            return name
    return gettext("Technician %(name)s") % {"name": name}
