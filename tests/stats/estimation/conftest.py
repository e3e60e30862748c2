"""The NSW experimental sample (PyPI ``causaldata``, ``nsw_mixtape``) shared by the tests."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture(scope="module")
def nsw() -> pd.DataFrame:
    causaldata = pytest.importorskip("causaldata")
    return causaldata.nsw_mixtape.load_pandas().data
