"""Content-Security-Policy: scripts only with the page's nonce, no inline styles anywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

import infuse

pytestmark = pytest.mark.django_db


def test_pages_send_a_policy_without_unsafe_inline_and_their_scripts_carry_its_nonce():
    response = Client().get("/")
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == f"'self' 'nonce-{nonce}'"
    assert directives["style-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    inline = [tag for tag in scripts if "src=" not in tag]
    assert inline and all(f'nonce="{nonce}"' in tag for tag in inline)
    assert Client().get("/").headers["Content-Security-Policy"] != policy  # a new nonce each time


def test_no_template_uses_an_inline_style_or_handler():
    """The policy would block them: a style attribute or an onclick= in a template is a bug.
    Email templates are the exception for styles: no page serves them, and mail programs read
    only inline styles."""
    root = Path(infuse.__file__).parent
    found = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in root.rglob("*.html")
        for match in re.finditer(r"\s(style|on[a-z]+)=\"", path.read_text())
        if not (path.parent.name == "email" and match.group(1) == "style")
    ]
    assert found == []


def test_the_api_docs_allow_swagger_its_inline_styles_only():
    policy = Client().get("/api/v1/docs")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self'" in policy and "script-src 'self' 'unsafe-inline'" not in policy
