"""Published panels (PyPI ``causaldata``) shared by the difference-in-differences tests:
Kessler & Roth's (2014) organ donations and Cheng & Hoekstra's (2013) castle-doctrine panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def organ() -> pd.DataFrame:
    causaldata = pytest.importorskip("causaldata")
    data = causaldata.organ_donations.load_pandas().data.copy()
    data["treated_state"] = (data.State == "California").astype(int)
    data["post"] = (data.Quarter_Num >= 4).astype(int)
    data["treated"] = data.treated_state * data.post
    data["first_treated"] = np.where(data.State == "California", 4, 0)
    return data


@pytest.fixture(scope="module")
def castle() -> pd.DataFrame:
    causaldata = pytest.importorskip("causaldata")
    data = causaldata.castle.load_pandas().data.copy()
    first = data[data.post > 0].groupby("sid").year.min()
    data["g"] = data.sid.map(first).fillna(0).astype(int)
    return data
