"""Every kind of background work has words of its own: pages never show its code."""

from __future__ import annotations

import re
from pathlib import Path

import infuse
from infuse.core.models import TaskProgress


def test_every_kind_of_work_made_in_the_code_has_a_label():
    root = Path(infuse.__file__).parent
    made = set()
    for source in root.rglob("*.py"):
        made |= set(
            re.findall(r'TaskProgress\.objects\.create\(\s*kind="([^"]+)"', source.read_text())
        )
        # A kind built at run time must name a Kind, so it cannot escape this check.
        assert not re.search(r'TaskProgress\.objects\.create\(\s*kind=f"', source.read_text()), (
            source
        )
    assert made, "no TaskProgress is made anywhere?"
    assert made <= set(TaskProgress.Kind.values), made - set(TaskProgress.Kind.values)
