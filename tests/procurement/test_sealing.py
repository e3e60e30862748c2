"""Master keys: bad ones are named when the service starts."""

from __future__ import annotations

import pytest

from infuse.core.models import Person
from infuse.procurement import sealing


def test_bad_master_keys_are_named_at_start_up():
    with pytest.raises(ValueError, match="32-byte key"):
        sealing.parse_keys("k1:c2hvcnQ")
    with pytest.raises(ValueError, match="32-byte key"):
        sealing.parse_keys(":" + sealing.new_master_key("x").split(":")[1])
    assert Person  # imported for type context in other tests
