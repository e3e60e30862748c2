"""One versioned JSON form for the engine's typed results, and the way back.

Why: the labs store results as JSON (a database column, a task's summary, an API payload) and
used to read them back as plain dicts through chains of ``.get``. :func:`to_json` writes any
registered result with its type and a version; :func:`from_json` rebuilds the same frozen
dataclass, so code that reads a stored result works with the typed object, its attributes and
its properties, exactly as with a fresh one.

Use
---
::

    from infuse.stats import difference_in_means, from_json, to_json, EstimateResult

    row.result = to_json(difference_in_means(y, treated))   # a JSON-ready dict
    ...
    result = from_json(row.result)                           # an EstimateResult again
    result = from_json(row.result, EstimateResult)           # the same, type-checked

The form
--------
``{"schema": "<type name>", "version": <n>, <fields>..., "nonfinite": {...}}``:

* the fields are exactly what ``json_ready(asdict(result))`` gives, i.e. what the result's own
  ``to_dict()`` writes for its fields: NaN and infinities as ``null`` (JSON has neither),
  tuples and numpy arrays as lists, dictionary keys as strings, nested results (warnings,
  effects) as objects. Readers that only look up fields see the familiar dict.
* ``"nonfinite"`` appears only when a ``null`` alone would not bring a float back: it maps the
  JSON Pointer (RFC 6901) of each such value to ``"nan"``, ``"inf"`` or ``"-inf"``. Infinities
  are always listed (an unbounded test-inverted interval is not a missing one); NaN is listed
  where ``null`` is also a legitimate value (a ``float | None`` field, or inside ``extra`` and
  other free-form dicts). A ``null`` in a plain ``float`` field reads back as NaN.

Reading back is driven by the dataclass fields and their type hints, so every registered type
is handled by the same code: tuples come back as tuples, nested dataclasses as themselves
(``StatWarning``, ``EstimateResult``, ``BalanceRow``), ints stay ints, ``dict[float, ...]`` keys
become floats again and float arrays become ``numpy`` arrays. Free-form values (``extra``,
``parameters``, table rows) are JSON already, so what goes in comes back, except that tuples
inside them come back as lists and their dictionary keys as strings (JSON has no tuples and
only string keys), and that an empty multi-dimensional array comes back one-dimensional.

Versions
--------
Each type has a version (all 1 today). A reader refuses data from a newer version rather than
guess; when a type's fields change, its version goes up and an upgrade from the previous form
is added to ``_UPGRADES``, so rows written earlier keep reading. Rows stored before this
module existed hold ``EstimateResult.to_dict()`` output, without ``"schema"``/``"version"``:
they are read as version 0 of ``EstimateResult`` (the same fields, so no change is needed).

Registered types are listed in :data:`RESULT_TYPES` (name to class): every result the Adaption
Lab stores or shows (effects, power calculations and simulations, placebo power, allocations
and balance, the quasi-experiments), the Data Lab's indicator intervals, funnel limits and
comparisons, and their parts. A fit that carries internal state (``OLSFit``) and the inputs of
a simulation (designs with callables) are not results and are not registered. Adding a type
is adding it to ``_REGISTERED``: the reader checks at import that it understands every field.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import math
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, Literal, TypeVar, overload

import numpy as np
from numpy.typing import NDArray

__all__ = ["RESULT_TYPES", "from_json", "to_json"]

T = TypeVar("T")

#: Where each registered type is defined, by schema name. The modules are imported when a type
#: is first needed: reading a stored effect back (a page showing a trial's result) needs its
#: own type, not every estimator's module with pandas, scipy.stats and statsmodels behind it.
_WHERE: Mapping[str, str] = MappingProxyType(
    {
        # effects and their parts
        "EstimateResult": "infuse.stats.results",
        "StatWarning": "infuse.stats.results",
        "ArmSummary": "infuse.stats.estimation.means",
        "HeterogeneityResult": "infuse.stats.estimation.heterogeneity",
        "MetaAnalysisResult": "infuse.stats.estimation.meta_analysis",
        "SampleRatioResult": "infuse.stats.estimation.sample_ratio",
        "TrendTest": "infuse.stats.trends",
        "RandomisationResult": "infuse.stats.inference",
        "WildBootstrapResult": "infuse.stats.regression.wild_bootstrap",
        # power
        "PowerResult": "infuse.stats.power.result",
        "SteppedWedgeSchedule": "infuse.stats.power.stepped_wedge",
        "SimulatedPowerResult": "infuse.stats.power.simulation",
        "PlaceboPowerResult": "infuse.stats.power.historical",
        # randomisation
        "AllocationResult": "infuse.stats.randomisation.records",
        "RerandomisationCriterion": "infuse.stats.randomisation.records",
        "BalanceTable": "infuse.stats.randomisation.balance",
        "BalanceRow": "infuse.stats.randomisation.balance",
        # quasi-experiments
        "EventStudyResult": "infuse.stats.quasi.event_study",
        "CallawaySantAnnaResult": "infuse.stats.quasi.callaway_santanna",
        "SunAbrahamResult": "infuse.stats.quasi.sun_abraham",
        "InterruptedTimeSeriesResult": "infuse.stats.quasi.its",
        "ComparativeInterruptedTimeSeriesResult": "infuse.stats.quasi.its",
        "SyntheticControlResult": "infuse.stats.quasi.synthetic_control",
        # indicator intervals (the Data Lab)
        "IndicatorInterval": "infuse.stats.intervals",
        "ComparisonResult": "infuse.stats.intervals",
        "FunnelLimits": "infuse.stats.intervals",
        "FunnelClassification": "infuse.stats.intervals",
    }
)


class _ResultTypes(Mapping[str, type]):
    """Registered types by schema name, each imported (and checked) on first use."""

    def __getitem__(self, name: str) -> type:
        return _resolve(name)

    def __iter__(self) -> Iterator[str]:
        return iter(_WHERE)

    def __len__(self) -> int:
        return len(_WHERE)


@functools.cache
def _resolve(name: str) -> type:
    cls: type = getattr(importlib.import_module(_WHERE[name]), name)
    _check_registered(cls)
    return cls


#: Every result type :func:`to_json` writes and :func:`from_json` reads, by schema name.
RESULT_TYPES: Mapping[str, type] = _ResultTypes()

#: Current version of each type's JSON form (raise it, and add an upgrade, when fields change).
_VERSIONS: Mapping[str, int] = MappingProxyType(dict.fromkeys(_WHERE, 1))

#: Upgrades of older forms to the next version: ``(schema, version) -> fields -> fields``.
_UPGRADES: Mapping[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = MappingProxyType(
    # Version 0: EstimateResult.to_dict() as stored before versioning; the same fields.
    {("EstimateResult", 0): dict}
)

_HEADER = ("schema", "version", "nonfinite")
_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


# ----------------------------------------------------------------------------- writing


def to_json(result: Any) -> dict[str, Any]:
    """The versioned, JSON-ready form of a registered result (see the module docstring).

    Raises ``TypeError`` for an unregistered type or a value JSON cannot hold.
    """
    cls = type(result)
    name = cls.__name__
    if RESULT_TYPES.get(name) is not cls:
        raise TypeError(f"{name} is not a registered result type; see RESULT_TYPES")
    nonfinite: dict[str, str] = {}
    fields = _Writer(nonfinite).dataclass(result, "")
    out: dict[str, Any] = {"schema": name, "version": _VERSIONS[name], **fields}
    if nonfinite:
        out["nonfinite"] = nonfinite
    return out


@dataclasses.dataclass(frozen=True)
class _Writer:
    """Writes values by their type hints, noting the non-finite floats a null cannot restore."""

    nonfinite: dict[str, str]

    def dataclass(self, value: Any, path: str) -> dict[str, Any]:
        hints = _hints(type(value))
        return {
            f.name: self.value(getattr(value, f.name), hints[f.name], _child(path, f.name))
            for f in dataclasses.fields(value)
        }

    def value(self, value: Any, hint: Any, path: str) -> Any:
        if isinstance(value, np.generic):
            value = value.item()
        if value is None or isinstance(value, bool | str | int):
            return value
        if isinstance(value, float):
            # Only a plain float field or item reads a null back as NaN (not float | None).
            return self.float(value, hint is float, path)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self.dataclass(value, path)
        if typing.get_origin(hint) in (typing.Union, types.UnionType):
            hint = _optional(hint)
        if isinstance(value, np.ndarray):
            if _is_float_array(hint):
                return self.array(value.tolist(), path)
            return self.value(value.tolist(), hint, path)
        if isinstance(value, Mapping):
            item_hint = _parts(hint)[1]
            return {
                str(k): self.value(v, item_hint, _child(path, str(k))) for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return [
                self.value(v, _item(hint, i), _child(path, str(i))) for i, v in enumerate(value)
            ]
        raise TypeError(f"{type(value).__name__} at {path or '/'} cannot be written as JSON")

    def array(self, value: Any, path: str) -> Any:
        """A float array's nested lists (a null reads back as NaN)."""
        if isinstance(value, list):
            return [self.array(v, _child(path, str(i))) for i, v in enumerate(value)]
        return self.float(float(value), True, path)

    def float(self, value: float, null_means_nan: bool, path: str) -> float | None:
        if math.isfinite(value):
            return value
        if not (math.isnan(value) and null_means_nan):
            self.nonfinite[path] = "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
        return None


# ----------------------------------------------------------------------------- reading


@overload
def from_json(data: Mapping[str, Any]) -> Any: ...


@overload
def from_json(data: Mapping[str, Any], expected: type[T]) -> T: ...


def from_json(data: Mapping[str, Any], expected: type[Any] | None = None) -> Any:
    """The result that :func:`to_json` wrote (or an ``EstimateResult.to_dict()`` without a
    header, read as version 0), as its frozen dataclass.

    ``expected``: the type the caller needs; a different stored type raises ``TypeError``.
    Unknown types, unknown fields and versions newer than this engine's raise ``ValueError``.
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"expected a JSON object (a mapping), got {type(data).__name__}")
    name, version = data.get("schema", "EstimateResult"), data.get("version", 0)
    cls = RESULT_TYPES.get(name)
    if cls is None:
        raise ValueError(f"unknown result schema {name!r}")
    if expected is not None and cls is not expected:
        raise TypeError(f"the data holds a {name}, not a {expected.__name__}")
    fields = {k: v for k, v in data.items() if k not in _HEADER}
    if not isinstance(version, int) or version > _VERSIONS[name]:
        raise ValueError(f"{name} version {version!r} is not one this engine can read")
    while version < _VERSIONS[name]:
        upgrade = _UPGRADES.get((name, version))
        if upgrade is None:
            raise ValueError(f"{name} version {version} cannot be read any more")
        fields, version = upgrade(fields), version + 1
    return _Reader(dict(data.get("nonfinite") or {})).dataclass(cls, fields, "")


@dataclasses.dataclass(frozen=True)
class _Reader:
    """Rebuilds values by their type hints, restoring the listed non-finite floats."""

    nonfinite: dict[str, str]

    def dataclass(self, cls: type[T], data: Any, path: str) -> T:
        if not isinstance(data, Mapping):
            raise ValueError(f"{cls.__name__} at {path or '/'} must be a JSON object")
        hints = _hints(cls)
        unknown = set(data) - set(hints)
        if unknown:
            raise ValueError(f"{cls.__name__} has no field(s) {sorted(unknown)}")
        return cls(
            **{
                name: self.value(value, hints[name], _child(path, name))
                for name, value in data.items()
            }
        )

    def value(self, value: Any, hint: Any, path: str) -> Any:
        if path in self.nonfinite:
            return _NONFINITE[self.nonfinite[path]]
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if hint is Any:
            return self.free(value, path)
        if origin in (typing.Union, types.UnionType):
            return None if value is None else self.value(value, _optional(hint), path)
        if origin is Literal:
            if value not in args:
                raise ValueError(f"{value!r} at {path} is not one of {args}")
            return value
        if dataclasses.is_dataclass(hint):
            return self.dataclass(typing.cast(type, hint), value, path)
        if _is_float_array(hint):
            return np.asarray(self.array(value, path), dtype=np.float64)
        if origin in (dict, Mapping):
            key_type, item_hint = _parts(hint)
            return {
                key_type(k): self.value(v, item_hint, _child(path, k)) for k, v in value.items()
            }
        if origin in (tuple, list):
            items = [
                self.value(v, _item(hint, i), _child(path, str(i))) for i, v in enumerate(value)
            ]
            return tuple(items) if origin is tuple else items
        return self.scalar(value, hint, path)

    def scalar(self, value: Any, hint: Any, path: str) -> Any:
        """A float (null: NaN), int, str or bool, as JSON holds it (an int in a float field
        stays the int it was written as)."""
        if hint is float and value is None:
            return math.nan
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if (hint is float and numeric) or (hint is int and numeric and isinstance(value, int)):
            return value
        if hint in (str, bool) and isinstance(value, hint):
            return value
        raise ValueError(f"{value!r} at {path or '/'} is not a {getattr(hint, '__name__', hint)}")

    def array(self, value: Any, path: str) -> Any:
        """A float array's nested lists, nulls as NaN and listed non-finite values put back."""
        if isinstance(value, list):
            return [self.array(v, _child(path, str(i))) for i, v in enumerate(value)]
        if path in self.nonfinite:
            return _NONFINITE[self.nonfinite[path]]
        return math.nan if value is None else value

    def free(self, value: Any, path: str) -> Any:
        """A free-form JSON value (``extra``, ``parameters``...), its non-finite floats put back."""
        if path in self.nonfinite:
            return _NONFINITE[self.nonfinite[path]]
        if isinstance(value, Mapping):
            return {k: self.free(v, _child(path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.free(v, _child(path, str(i))) for i, v in enumerate(value)]
        return value


# ----------------------------------------------------------------------------- type hints


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """The resolved type hints of a dataclass's fields (cached)."""
    if cls not in _HINTS:
        hints = typing.get_type_hints(cls)
        _HINTS[cls] = {f.name: hints[f.name] for f in dataclasses.fields(cls)}
    return _HINTS[cls]


def _parts(hint: Any) -> tuple[Callable[[str], Any], Any]:
    """Key type and value hint of a dict hint (``str`` and ``Any`` for free-form dicts)."""
    if typing.get_origin(hint) in (dict, Mapping):
        key, item = typing.get_args(hint)
        return (float if key is float else int if key is int else str), item
    return str, Any


def _item(hint: Any, index: int) -> Any:
    """The hint of item ``index`` of a tuple or list hint (``Any`` for free-form lists)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin not in (tuple, list) or not args:
        return Any
    if origin is list or (len(args) == 2 and args[1] is Ellipsis):
        return args[0]
    return args[index]


def _optional(hint: Any) -> Any:
    """``X`` of ``X | None``."""
    (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
    return inner


def _is_float_array(hint: Any) -> bool:
    """``NDArray[np.float64]`` (an alias in recent numpy, ``np.ndarray[...]`` in older ones)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is NDArray:
        return args == (np.float64,)
    return origin is np.ndarray and typing.get_args(args[1]) == (np.float64,)


def _child(path: str, key: str) -> str:
    """The JSON Pointer of member ``key`` under ``path`` (RFC 6901 escaping)."""
    return f"{path}/{key.replace('~', '~0').replace('/', '~1')}"


def _check_registered(cls: type) -> None:
    """A registered type is a dataclass built from all its fields, none named like the header,
    and every field hint is one the reader understands (checked when the type is first used,
    and for every type by the tests, rather than when a stored row is read)."""
    fields = dataclasses.fields(cls)
    if not all(f.init for f in fields) or {f.name for f in fields} & set(_HEADER):
        raise TypeError(
            f"{cls.__name__} cannot be registered: every field must be an init field and "
            f"none may be called {_HEADER}"
        )
    pending = list(_hints(cls).values())
    while pending:
        pending += _supported_parts(cls, pending.pop())


def _supported_parts(cls: type, hint: Any) -> list[Any]:
    """The hints inside ``hint`` still to check; ``TypeError`` if ``hint`` is not supported."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if len(args) != 2 or type(None) not in args:
            raise TypeError(f"{cls.__name__}: only X | None unions are supported, not {hint}")
        return [_optional(hint)]
    if origin in (dict, Mapping, tuple, list):
        return [a for a in args if a is not Ellipsis]
    if _is_float_array(hint):
        return []
    if origin is Literal or dataclasses.is_dataclass(hint) or hint in (float, int, str, bool, Any):
        return []
    raise TypeError(f"{cls.__name__}: field type {hint!r} is not supported")
