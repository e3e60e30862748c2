"""Builds the demo region: councils' organisations, one person per role, sample content."""
