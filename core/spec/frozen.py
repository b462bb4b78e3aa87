"""Read-only dicts and lists, compared and hashed by value: what a typed `Spec` is built from.

A `FrozenRecord` is a frozen dataclass that is also a read-only `dict` of its fields, and a `FrozenList` a read-only
`list`. Why dict and list subclasses rather than bare dataclasses: code written against the spec as a nested dict
keeps working unchanged while it moves to attributes: `spec["training"]["optimizer"]["lr"]`, `json.dumps(spec)`,
`isinstance(spec, dict)`, `spec == {...}` and `{**spec, "training": ...}` (a plain copy) all behave as before. What
no longer works is changing one in place: item assignment, `update`, `append` and attribute assignment raise, so a
changed spec is always a new one (`core.spec.with_changes`). Equal values give equal hashes, so a spec can be a
dict key; copying returns the object itself, and pickling rebuilds it from its fields.
"""

from __future__ import annotations

import dataclasses
from typing import Any, NoReturn

_ADVICE = "a spec never changes in place; make a changed one with core.spec.with_changes(spec, {path: value})"


def _refuse(self: Any, *args: Any, **kwargs: Any) -> NoReturn:
    raise TypeError(f"{type(self).__name__} is read-only: {_ADVICE}")


class FrozenList(list):
    """A list that refuses every change; equal to a plain list with the same items, and hashable."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self))

    def __reduce__(self) -> tuple:
        return FrozenList, (list(self),)

    def __copy__(self) -> FrozenList:
        return self

    def __deepcopy__(self, memo: dict) -> FrozenList:
        return self


class FrozenRecord(dict):
    """Base of the frozen dataclasses of a spec: each field is an attribute and, read-only, a dict item.

    A field whose value is None and whose metadata says `omit_none` (a layer's optional name) is no item: the
    record's items are exactly the JSON object it stands for.
    """

    def __post_init__(self) -> None:
        items = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        omitted = {f.name for f in dataclasses.fields(self) if f.metadata.get("omit_none") and items[f.name] is None}
        dict.update(self, {name: value for name, value in items.items() if name not in omitted})

    __setitem__ = __delitem__ = __ior__ = _refuse
    update = setdefault = pop = popitem = clear = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))

    def __reduce__(self) -> tuple:
        return _restore, (type(self), dict(self))

    def __copy__(self) -> FrozenRecord:
        return self

    def __deepcopy__(self, memo: dict) -> FrozenRecord:
        return self

    def to_json(self) -> dict[str, Any]:
        """A plain, mutable copy (dicts, lists, numbers, text): the JSON object this record stands for."""
        return thaw(self)

    as_dict = to_json


def _restore(cls: type[FrozenRecord], items: dict[str, Any]) -> FrozenRecord:
    return cls(**items)


def thaw(value: Any) -> Any:
    """A plain, mutable deep copy of `value`: every mapping a dict, every list a list (other values copied)."""
    if isinstance(value, dict):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, list):
        return [thaw(item) for item in value]
    return value if isinstance(value, (str, int, float, bool, type(None))) else _deep_copy(value)


def _deep_copy(value: Any) -> Any:
    import copy
    return copy.deepcopy(value)
