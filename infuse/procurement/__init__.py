"""The Procurement Lab."""
