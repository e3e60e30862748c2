"""Everything public in the engine's modules is importable from ``infuse.stats`` itself."""

import importlib
import pkgutil

import infuse.stats


def test_every_public_name_of_every_module_is_exported():
    for module_info in pkgutil.iter_modules(infuse.stats.__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"infuse.stats.{module_info.name}")
        names = getattr(module, "__all__", None)
        assert names is not None, f"infuse.stats.{module_info.name} must define __all__"
        for name in names:
            assert getattr(infuse.stats, name) is getattr(module, name), name
            assert name in infuse.stats.__all__, name


def test_results_are_json_serialisable_end_to_end():
    import json

    import numpy as np

    rng = np.random.default_rng(7)
    y = rng.normal(size=200)
    treated = np.repeat([0, 1], 100)
    result = infuse.stats.difference_in_means(y, treated)
    assert json.loads(json.dumps(result.to_dict()))["method"] == result.method
