"""Every marked string has a Welsh translation, and the catalogue is current with the code."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "infuse" / "locale" / "cy" / "LC_MESSAGES" / "django.po"


def parse_po(text: str) -> dict[str, list[str]]:
    """msgid → msgstr forms, from a .po file (enough of the format for this check)."""
    entries: dict[str, list[str]] = {}
    for block in text.split("\n\n"):
        lines = [ln for ln in block.splitlines() if not ln.startswith("#")]
        if any(ln.startswith("#~") for ln in block.splitlines()):
            continue
        joined = "\n".join(lines)
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', joined, re.M)
        if not msgid:
            continue
        key = "".join(re.findall(r'"(.*)"', msgid.group(1)))
        strs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', joined, re.M)
        entries[key] = ["".join(re.findall(r'"(.*)"', s)) for s in strs]
    return entries


def test_no_empty_or_fuzzy_welsh_translation():
    text = PO.read_text(encoding="utf-8")
    entries = parse_po(text)
    empty = [k for k, forms in entries.items() if k and not all(forms)]
    assert not empty, f"Untranslated: {empty[:10]}"
    header_end = text.index("\n\n")
    assert "#, fuzzy" not in text[header_end:], "Fuzzy translations must be reviewed"


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="needs GNU gettext (apt-get install gettext)"
)
def test_catalogue_has_every_string_marked_in_the_code(tmp_path):
    work = tmp_path / "infuse"
    shutil.copytree(ROOT / "infuse", work, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "cy",
            "--no-location",
            "--no-obsolete",
            "--settings=infuse.settings",
            f"--pythonpath={tmp_path}",
        ],
        cwd=work,
        check=True,
        capture_output=True,
        env={**os.environ, "INFUSE_VAR_DIR": str(tmp_path / "var")},
    )
    extracted = parse_po((work / "locale/cy/LC_MESSAGES/django.po").read_text(encoding="utf-8"))
    ours = parse_po(PO.read_text(encoding="utf-8"))
    missing = sorted(set(extracted) - set(ours))
    assert not missing, f"Run `make messages-update` and translate: {missing[:10]}"


def test_placeholders_survive_translation():
    for msgid, forms in parse_po(PO.read_text(encoding="utf-8")).items():
        wanted = sorted(set(re.findall(r"%\(\w+\)[sd]", msgid)))
        for form in forms:
            assert sorted(set(re.findall(r"%\(\w+\)[sd]", form))) == wanted, msgid
