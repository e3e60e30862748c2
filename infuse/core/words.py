"""Small pieces of sentences every page writes, in the active language."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _


def listed(parts: Iterable[object]) -> str:
    """A list read aloud: "Cardiff, Newport and Torfaen" ("" for none)."""
    words = [str(part) for part in parts]
    if len(words) < 2:
        return "".join(words)
    return _("%(first)s and %(last)s") % {"first": ", ".join(words[:-1]), "last": words[-1]}
