"""The Challenge Fund."""
