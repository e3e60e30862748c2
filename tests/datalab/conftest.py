"""Data Lab fixtures: make_dataset lives in tests/conftest.py (the other labs use it too)."""
