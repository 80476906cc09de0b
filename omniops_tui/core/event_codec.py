"""How an event is an event: the base class, the registry of wire names, and the JSON codec.

Split from `events.py` (the vocabulary) so that each file has one purpose: this one knows
nothing about checklists or logs, only how a typed, immutable event becomes one JSON object
per line (`to_record`) and comes back (`from_record`), tolerating fields it does not know
(a newer version added them) and turning unknown types into `UnknownEvent` so readers can
skip and count them.

Session files come from teammates and other machines: `from_record` checks every field's JSON
type against the class's annotations (`"t": "notanumber"`, `"item_id": null`, `"lines": [1]`)
and raises `EventFieldError` (a ValueError naming the field) instead of building an event that
would crash a projection later; readers report it as a bad line with its number.

The registry is filled when `omniops_tui.core.events` is imported; import events from there.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

FORMAT_NAME = "omniops-tui-session"
FORMAT_VERSION = 1

E = TypeVar("E", bound="Event")
EVENT_TYPES: dict[str, type[Event]] = {}
_FIELDS: dict[type, frozenset[str]] = {}
# Per class: (static defaults, (field, default factory) pairs); None when __init__ must run.
_PLANS: dict[type, tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...]] | None] = {}
STAMP_FIELDS = ("seq", "t", "at")
# Per class: field -> (JSON types allowed, types allowed for a list's items or None).
_TYPES: dict[type, dict[str, tuple[tuple[type, ...], tuple[type, ...] | None]]] = {}


class EventFieldError(ValueError):
    """A recorded event whose field has the wrong type (a hand-edited or hostile session file)."""


def event_type(name: str):
    """Register an event class under its wire name."""

    def register(cls: type[E]) -> type[E]:
        if name in EVENT_TYPES:
            raise ValueError(f"event type {name!r} registered twice")
        cls.type = name
        EVENT_TYPES[name] = cls
        _FIELDS[cls] = frozenset(f.name for f in dataclasses.fields(cls))
        _PLANS[cls] = _plan(cls)
        _TYPES[cls] = _field_types(cls)
        return cls

    return register


@dataclass(kw_only=True)
class Event:
    type: ClassVar[str] = "event"
    seq: int = 0
    t: float = 0.0
    at: str = ""

    def payload(self) -> dict[str, Any]:
        """The event's own fields, without the stamps.

        Shallow on purpose: fields hold plain JSON values and events are never mutated once
        recorded, so `dataclasses.asdict`'s deep copy (of every line of a log batch) is waste.
        """
        data = dict(self.__dict__)
        for key in STAMP_FIELDS:
            data.pop(key, None)
        return data

    @property
    def wall_time(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.at.replace("Z", "+00:00"))
        except ValueError:
            return None


@dataclass(kw_only=True)
class UnknownEvent(Event):
    """An event of a type this version does not know; kept so it can be counted and re-written."""

    type_name: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


def to_record(event: Event) -> dict[str, Any]:
    if isinstance(event, UnknownEvent):
        return dict(event.raw)
    record: dict[str, Any] = {"seq": event.seq, "t": round(event.t, 6), "at": event.at, "type": event.type}
    record.update(event.payload())
    return record


def from_record(record: dict[str, Any], *, consume: bool = False) -> Event:
    """The event a record describes; unknown fields are dropped, unknown types kept as such.

    `consume=True` lets a caller that will not use `record` again (the reader) hand it over,
    saving a copy per event.
    """
    name = record.get("type")
    cls = EVENT_TYPES.get(name) if isinstance(name, str) else None
    if cls is None:
        check_fields(UnknownEvent, record)
        return UnknownEvent(
            seq=int(record.get("seq", 0) or 0),
            t=float(record.get("t", 0) or 0),
            at=str(record.get("at", "")),
            type_name=str(name),
            raw=record,
        )
    known = _FIELDS[cls]
    check_fields(cls, record)
    plan = _PLANS.get(cls)
    if plan is None:
        return cls(**{k: v for k, v in record.items() if k in known})
    # The fast path (a 100,000-event session must open in under a second): make the instance
    # dict directly, which is all the generated __init__ does, without its call overhead.
    values = record if consume else record.copy()
    del values["type"]
    if len(values) != len(known) or not known.issuperset(values):
        defaults, factories = plan
        values = {**defaults, **{k: v for k, v in values.items() if k in known}}
        for key, factory in factories:
            if key not in values:
                values[key] = factory()
    event = _new(cls)
    event.__dict__ = values
    return event


_new = object.__new__


def _plan(cls: type) -> tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...]] | None:
    """How `from_record` may build `cls` without calling __init__, or None when it must call it."""
    if hasattr(cls, "__post_init__") or hasattr(cls, "__slots__"):
        return None
    defaults: dict[str, Any] = {}
    factories: list[tuple[str, Callable[[], Any]]] = []
    for f in dataclasses.fields(cls):
        if not f.init:
            return None
        if f.default is not dataclasses.MISSING:
            defaults[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            factories.append((f.name, f.default_factory))
        else:
            return None
    return defaults, tuple(factories)


def check_fields(cls: type, record: dict[str, Any]) -> None:
    """EventFieldError when a field of `record` does not have the JSON type `cls` declares."""
    checker = _CHECKERS.get(cls)
    if checker is None:
        checker = _CHECKERS[cls] = _compile_checker(_TYPES.get(cls) or _STAMP_TYPES)
    checker(record)


_CHECKERS: dict[type, Callable[[dict[str, Any]], None]] = {}
_MISSING = object()


def _compile_checker(
    expected: dict[str, tuple[tuple[type, ...], tuple[type, ...] | None]],
) -> Callable[[dict[str, Any]], None]:
    """A function checking one class's fields in straight-line code, as dataclasses makes its
    __init__: a 100,000-event session must still open in under a second, and a loop over the
    fields costs twice as much. Each field is one lookup and one type test; a list of strings
    also has its items' types looked at."""
    lines = ["def check(record):", "    get = record.get"]
    names: dict[str, Any] = {
        "MISSING": _MISSING,
        "wrong": _wrong,
        "wrong_items": _wrong_items,
        "isfinite": math.isfinite,
    }
    for number, (key, (kinds, items)) in enumerate(expected.items()):
        names[f"K{number}"] = kinds
        lines += [
            f"    v = get({key!r}, MISSING)",
            "    if v is not MISSING:",
            f"        if type(v) not in K{number}: wrong({key!r}, K{number}, v)",
        ]
        if items is not None:
            names[f"I{number}"] = frozenset(items)
            lines.append(
                f"        if v and not set(map(type, v)) <= I{number}: wrong_items({key!r}, I{number})"
            )
        if key == "t":
            lines.append("        if type(v) is float and not isfinite(v): wrong('t', (), v)")
    exec("\n".join(lines), names)  # our own text, built from the annotations
    return names["check"]


def _wrong(key: str, kinds: tuple[type, ...], value: Any) -> None:
    if not kinds:
        raise EventFieldError(f"field '{key}' must be a finite number, not {value}")
    raise EventFieldError(f"field '{key}' must be {_describe(kinds)}, not {_json_kind(value)}")


def _wrong_items(key: str, items: frozenset[type]) -> None:
    raise EventFieldError(f"field '{key}' must be a list of {_describe(tuple(items), plural=True)}")


def _field_types(cls: type) -> dict[str, tuple[tuple[type, ...], tuple[type, ...] | None]]:
    """What JSON types each field of `cls` accepts, read from its annotations (`Any` is not
    checked; an annotation this function does not understand is not checked either)."""
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # a forward reference that does not resolve: check the stamps only
        return dict(_STAMP_TYPES)
    plan: dict[str, tuple[tuple[type, ...], tuple[type, ...] | None]] = {}
    for f in dataclasses.fields(cls):
        kinds = _json_types(hints.get(f.name, Any))
        if kinds is not None:
            plan[f.name] = kinds
    return plan


def _json_types(hint: Any) -> tuple[tuple[type, ...], tuple[type, ...] | None] | None:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        found: list[type] = []
        for option in typing.get_args(hint):
            inner = _json_types(option)
            if inner is None or inner[1] is not None:
                return None
            found += inner[0]
        return tuple(found), None
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        inner = _json_types(item)
        return (list,), (inner[0] if inner is not None and inner[1] is None else None)
    if origin is dict or hint is dict:
        return (dict,), None
    simple = {str: (str,), int: (int,), float: (float, int), bool: (bool,), type(None): (type(None),)}
    return (simple[hint], None) if hint in simple else None


_STAMP_TYPES: dict[str, tuple[tuple[type, ...], tuple[type, ...] | None]] = {
    "seq": ((int,), None),
    "t": ((float, int), None),
    "at": ((str,), None),
}
_KIND_NAMES = {
    str: "a string",
    int: "a whole number",
    float: "a number",
    bool: "a boolean",
    list: "a list",
    dict: "an object",
    type(None): "null",
}


def _describe(kinds: tuple[type, ...], *, plural: bool = False) -> str:
    if float in kinds:
        kinds = tuple(kind for kind in kinds if kind is not int)  # "a number" says it
    names = dict.fromkeys(_KIND_NAMES.get(kind, kind.__name__) for kind in kinds)
    text = " or ".join(names)
    if plural:
        text = (
            text.replace("a string", "strings")
            .replace("a whole number", "whole numbers")
            .replace("a number", "numbers")
            .replace("an object", "objects")
        )
    return text


def _json_kind(value: Any) -> str:
    return _KIND_NAMES.get(type(value), type(value).__name__)


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
