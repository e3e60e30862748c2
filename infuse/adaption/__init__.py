"""The Adaption Lab."""
