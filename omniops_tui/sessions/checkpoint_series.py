"""Every metric point a replay's fold added, kept compact for its checkpoints to refer to.

A checkpoint's metric series is the last 240 points of its (metric, host) up to some count, so
the timeline keeps every point once and checkpoints keep a count. As `Point` objects that was
~350,000 objects at 1M events: ~50 MB, and half of the objects the garbage collector walked in
each full collection, which it ran every few seeks (100 ms and more: the seek's p99). Here a
point is two floats and a code in arrays (~20 bytes, no object); the code names its
(status, detail, source), which repeat. A checkpoint's series is made again on restore: 240
`Point`s a series, equal to the fold's.
"""

from __future__ import annotations

from array import array
from typing import Any

from omniops_tui.logic.history import SERIES_LENGTH, Point


class PointLog:
    """One series' points in the order the fold added them."""

    __slots__ = ("codes", "last", "odd", "times", "values")

    def __init__(self) -> None:
        self.times = array("d")
        self.values = array("d")
        self.codes = array("I")  # index into `Labels.names`
        self.odd: dict[int, tuple[Any, Any]] = {}  # a time or value that is not a float: as it was
        self.last: Point | None = None  # the fold's own last point: is its series this log's tail?

    def __len__(self) -> int:
        return len(self.times)

    def add(self, point: Point, labels: Labels) -> None:
        t, value = point.t, point.value
        if type(t) is not float or type(value) is not float:
            self.odd[len(self.times)] = (t, value)
            t, value = 0.0, 0.0
        self.times.append(t)
        self.values.append(value)
        self.codes.append(labels.code(point.status, point.detail, point.source))
        self.last = point

    def tail(self, stop: int, labels: Labels) -> list[Point]:
        """The last `SERIES_LENGTH` points of the first `stop` (a checkpoint's series).

        Made without `Point.__init__` (its fields set directly: ~40 % faster, 18 series of 240
        on every seek)."""
        start = max(0, stop - SERIES_LENGTH)
        names, new = labels.names, object.__new__
        points: list[Point] = []
        append = points.append
        for t, value, code in zip(
            self.times[start:stop], self.values[start:stop], self.codes[start:stop], strict=True
        ):
            point = new(Point)
            point.t, point.value = t, value
            point.status, point.detail, point.source = names[code]
            append(point)
        odd = self.odd
        if odd:
            for position in range(start, stop):
                found = odd.get(position)
                if found is not None:
                    point = points[position - start]
                    point.t, point.value = found
        return points


class Labels:
    """The distinct (status, detail, source) of the points, each kept once."""

    __slots__ = ("_codes", "names")

    def __init__(self) -> None:
        self._codes: dict[tuple[str, str, str], int] = {}
        self.names: list[tuple[str, str, str]] = []

    def code(self, status: str, detail: str, source: str) -> int:
        key = (status, detail, source)
        found = self._codes.get(key)
        if found is None:
            found = self._codes[key] = len(self.names)
            self.names.append(key)
        return found
