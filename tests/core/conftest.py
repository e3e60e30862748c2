"""Core's tests of limits that hold across labs use the Procurement Lab's fixtures."""

from tests.procurement.conftest import buyer, make_challenge, make_supplier

__all__ = ["buyer", "make_challenge", "make_supplier"]
