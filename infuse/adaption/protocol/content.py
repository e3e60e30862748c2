"""What a registered protocol holds and how it is fixed: the questions (modelled on the AEA RCT
Registry and OSF preregistration) and their labels, which answers registration needs, the
canonical JSON whose SHA-256 digest freezes a version, and the differences between versions."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from infuse.adaption.protocol.schemas import ProtocolIn
from infuse.core.errors import FieldProblem

PROTOCOL_LABELS = {
    "hypotheses": _("Hypotheses"),
    "sample": _("Sample and its size"),
    "stopping_rule": _("Stopping rule"),
    "randomisation_method": _("Randomisation method"),
    "randomisation_unit": _("Unit of randomisation"),
    "analysis_plan": _("Analysis plan"),
    "exclusions": _("Exclusions"),
    "missing_data": _("Missing data"),
}
REQUIRED = ("hypotheses", "sample", "stopping_rule", "analysis_plan", "missing_data")
RANDOMISED_REQUIRED = ("randomisation_method", "randomisation_unit")


def answer_label(key: str) -> str:
    """The question a content key answers, in words ("Hypotheses, in Welsh" for
    ``hypotheses_cy``); other keys of the content as they are."""
    name, _sep, language = key.rpartition("_")
    if language == "cy" and name in PROTOCOL_LABELS:
        return str(format_lazy(_("{label}, in Welsh"), label=PROTOCOL_LABELS[name]))
    return str(PROTOCOL_LABELS.get(key, key))


def answers_shown(content: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Each answered question: its label, the English answer and the Welsh one."""
    return [
        (str(label), content.get(name) or "", content.get(f"{name}_cy") or "")
        for name, label in PROTOCOL_LABELS.items()
        if content.get(name) or content.get(f"{name}_cy")
    ]


def canonical_json(content: dict[str, Any]) -> bytes:
    """The bytes that are hashed: sorted keys, no spaces, UTF-8 (so the digest is stable)."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def protocol_digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def answer_problems(protocol_in: ProtocolIn, *, randomised: bool) -> list[FieldProblem]:
    """Each question registration needs answered (a randomised design: how, and of what)."""
    problems = [
        FieldProblem(
            name,
            _("Answer this before registering: %(question)s") % {"question": PROTOCOL_LABELS[name]},
        )
        for name in REQUIRED
        if not protocol_in.answered(name)
    ]
    if randomised:
        problems += [
            FieldProblem(
                name,
                _("A randomised design needs this: %(question)s")
                % {"question": PROTOCOL_LABELS[name]},
            )
            for name in RANDOMISED_REQUIRED
            if not protocol_in.answered(name)
        ]
    return problems


def protocol_changes(before: Any, after: Any) -> list[dict[str, Any]]:
    """Each answer that differs between two versions, with its old and new text."""
    changes = []
    for key in sorted(set(before.content) | set(after.content)):
        old, new = before.content.get(key), after.content.get(key)
        if old != new:
            changes.append(
                {
                    "field": key,
                    "label": answer_label(key),
                    "before": old if isinstance(old, str) else json.dumps(old, ensure_ascii=False),
                    "after": new if isinstance(new, str) else json.dumps(new, ensure_ascii=False),
                }
            )
    return changes
