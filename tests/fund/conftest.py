"""The fund's tests use the Procurement Lab's fixtures (challenges, suppliers, buyers)."""

from tests.procurement.conftest import buyer, make_challenge, make_supplier, second_buyer

__all__ = ["buyer", "make_challenge", "make_supplier", "second_buyer"]
