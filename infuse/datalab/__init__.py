"""The Data Lab."""
