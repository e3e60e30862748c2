"""Data Lab fixtures: make_dataset lives in tests/conftest.py (the other labs use it too)."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def in_english():
    """Each test starts in English. A page the test client fetches in Welsh leaves Welsh active
    in the thread (the locale middleware activates a language and never resets it), so a test
    that reads a message after such a test would read it in Welsh."""
    translation.activate("en")
    yield
