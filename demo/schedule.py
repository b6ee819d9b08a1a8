"""A greedy in-memory timetable for the demo school: no teacher, room or class twice in one slot.

Every class gets a compact day (lessons 1…n, no gaps) whose lengths add up to its weekly hours.
The lessons of each course are put into those cells one by one, the hardest first (the English
pairs, which need two teachers and two rooms at once, then the gym, then the busiest teachers),
each into the cell that spreads the subject over the week best. A lesson that fits nowhere
first tries to swap places with a lesson of its class, then to push away the lesson that keeps
its teacher busy; only then is the class day made longer, and last of all the lesson stays
unplaced (reported). At the end, lessons are moved down into any gap left in a class day. The
best of a few runs with different tie-breaks is kept.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

DAYS = (1, 2, 3, 4, 5)
# The longer days of the week come first: Tuesday to Thursday, then Monday; Friday is the shortest.
LONG_DAYS_FIRST = (2, 3, 4, 1, 5)


def weekly_lessons(hours_per_week: Decimal | int | float) -> int:
    """Timetable entries a week for a curriculum line: its hours rounded half up, at least one.

    The timetable has no fortnightly entries, so 0.5 h/week becomes one lesson every week and
    1.5 h two; the curriculum check shows the difference.
    """
    rounded = Decimal(str(hours_per_week)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(1, int(rounded))


def day_lengths(total: int, max_per_day: int) -> dict[int, int]:
    """Lessons per weekday for ``total`` lessons a week, as even as possible, long days midweek."""
    base, extra = divmod(total, len(DAYS))
    lengths = {day: base for day in DAYS}
    for day in LONG_DAYS_FIRST[:extra]:
        lengths[day] += 1
    if max(lengths.values()) > max_per_day:
        raise ValueError(f"{total} lessons a week do not fit into {max_per_day} lessons a day")
    return lengths


@dataclass(frozen=True)
class Part:
    """One course of a unit: who teaches it and where it prefers to be taught (rooms in order)."""

    course_id: int
    teachers: frozenset[int]
    rooms: tuple[int, ...]
    any_room: bool = True  # when the preferred rooms are taken, any free classroom will do


@dataclass
class Unit:
    """What meets together in one slot: a whole-class course, or the subgroup courses of a split class."""

    class_key: int
    subject: str
    parts: tuple[Part, ...]
    per_week: int
    per_day: int = 1
    early: bool = False  # a demanding subject: the middle of the morning
    late: bool = False  # PE, arts: rather at the end of the day

    @property
    def teachers(self) -> frozenset[int]:
        return frozenset().union(*(p.teachers for p in self.parts))


@dataclass(frozen=True)
class Placed:
    unit: int
    weekday: int
    slot: int
    rooms: tuple[int | None, ...]


@dataclass
class Result:
    placements: list[Placed]
    unplaced: int = 0
    windows: int = 0  # lessons placed beyond the class's planned day length (a longer day)
    gaps: int = 0  # free lessons between two lessons of a class («windows» in its day) left at the end
    swaps: int = 0
    attempts: int = 1
    unplaced_units: list[int] = field(default_factory=list)


Cell = tuple[int, int]  # (weekday, slot)


class Scheduler:
    def __init__(
        self,
        units: Sequence[Unit],
        lengths: dict[int, dict[int, int]],
        max_slot: dict[int, int],
        classrooms: Sequence[int],
        rng: random.Random,
    ) -> None:
        self.units = list(units)
        self.lengths = lengths
        self.max_slot = max_slot
        self.classrooms = list(classrooms)
        self.rng = rng
        self.by_class: dict[int, list[int]] = {}
        for index, unit in enumerate(self.units):
            self.by_class.setdefault(unit.class_key, []).append(index)
        self.load: Counter[int] = Counter()
        for unit in self.units:
            for teacher in unit.teachers:
                self.load[teacher] += unit.per_week

    # -- state -------------------------------------------------------------------------------------------

    def _reset(self) -> None:
        self.class_cell: dict[tuple[int, int, int], int] = {}
        self.teacher_cell: dict[tuple[int, int, int], int] = {}
        self.room_cell: dict[tuple[int, int, int], int] = {}
        self.on_day: list[Counter[int]] = [Counter() for _ in self.units]
        self.cells: list[dict[Cell, tuple[int | None, ...]]] = [{} for _ in self.units]
        self.teacher_day: Counter[tuple[int, int]] = Counter()
        self.swaps = 0

    def _put(self, u: int, cell: Cell, rooms: tuple[int | None, ...]) -> None:
        day, slot = cell
        unit = self.units[u]
        self.class_cell[(unit.class_key, day, slot)] = u
        for teacher in unit.teachers:
            self.teacher_cell[(teacher, day, slot)] = u
            self.teacher_day[(teacher, day)] += 1
        for room in rooms:
            if room is not None:
                self.room_cell[(room, day, slot)] = u
        self.on_day[u][day] += 1
        self.cells[u][cell] = rooms

    def _take(self, u: int, cell: Cell) -> tuple[int | None, ...]:
        day, slot = cell
        unit = self.units[u]
        rooms = self.cells[u].pop(cell)
        del self.class_cell[(unit.class_key, day, slot)]
        for teacher in unit.teachers:
            del self.teacher_cell[(teacher, day, slot)]
            self.teacher_day[(teacher, day)] -= 1
        for room in rooms:
            if room is not None:
                del self.room_cell[(room, day, slot)]
        self.on_day[u][day] -= 1
        return rooms

    # -- checks ------------------------------------------------------------------------------------------

    def _planned_cells(self, class_key: int) -> list[Cell]:
        lengths = self.lengths[class_key]
        return [(day, slot) for day in DAYS for slot in range(1, lengths[day] + 1)]

    def _window_cells(self, class_key: int) -> list[Cell]:
        lengths = self.lengths[class_key]
        top = self.max_slot[class_key]
        return [(day, slot) for day in DAYS for slot in range(lengths[day] + 1, top + 1)]

    def _rooms(self, u: int, cell: Cell) -> tuple[int | None, ...] | None:
        day, slot = cell
        chosen: list[int | None] = []
        for part in self.units[u].parts:
            options = list(part.rooms) + (self.classrooms if part.any_room else [])
            room = next(
                (r for r in options if (r, day, slot) not in self.room_cell and r not in chosen),
                None,
            )
            if room is None:
                return None
            chosen.append(room)
        return tuple(chosen)

    def _fits(self, u: int, cell: Cell, *, cap: bool = True) -> tuple[int | None, ...] | None:
        """The rooms the unit would get in ``cell`` (its class cell being free), or None if it cannot go there."""
        day, slot = cell
        unit = self.units[u]
        if (unit.class_key, day, slot) in self.class_cell:
            return None
        if cap and self.on_day[u][day] >= unit.per_day:
            return None
        if any((teacher, day, slot) in self.teacher_cell for teacher in unit.teachers):
            return None
        return self._rooms(u, cell)

    def _score(self, u: int, cell: Cell) -> float:
        day, slot = cell
        unit = self.units[u]
        score = 100.0 * self.on_day[u][day]
        if unit.per_week <= 3:
            # Spread a subject of a few hours: not the day before or after another of its lessons.
            score += 20.0 * (self.on_day[u][day - 1] + self.on_day[u][day + 1])
        if unit.early:
            score += 3.0 * abs(slot - 2.5)
        if unit.late:
            score += 2.0 * max(0, 4 - slot)
        for teacher in unit.teachers:
            score += 1.5 * self.teacher_day[(teacher, day)]
        return score + self.rng.random()

    # -- placing -----------------------------------------------------------------------------------------

    def _place(self, u: int) -> str:
        """Put one lesson of unit ``u`` somewhere; returns how: planned, swap, push, window or none."""
        class_key = self.units[u].class_key
        best: tuple[float, Cell, tuple[int | None, ...]] | None = None
        for cell in self._planned_cells(class_key):
            rooms = self._fits(u, cell)
            if rooms is not None:
                score = self._score(u, cell)
                if best is None or score < best[0]:
                    best = (score, cell, rooms)
        if best is not None:
            self._put(u, best[1], best[2])
            return "planned"
        if self._swap_in_class(u) or self._push_blocker(u):
            self.swaps += 1
            return "swap"
        for cap in (True, False):
            for cell in self._window_cells(class_key):
                rooms = self._fits(u, cell, cap=cap)
                if rooms is not None:
                    self._put(u, cell, rooms)
                    return "window"
        return "none"

    def _free_planned(self, class_key: int) -> list[Cell]:
        return [c for c in self._planned_cells(class_key) if (class_key, c[0], c[1]) not in self.class_cell]

    def _relocate(self, v: int, avoid: Cell) -> bool:
        """Move one lesson of ``v`` that sits in ``avoid`` to a free planned cell of its class."""
        rooms = self._take(v, avoid)
        for cell in self._free_planned(self.units[v].class_key):
            if cell == avoid:
                continue
            new_rooms = self._fits(v, cell)
            if new_rooms is not None:
                self._put(v, cell, new_rooms)
                return True
        self._put(v, avoid, rooms)
        return False

    def _swap_in_class(self, u: int) -> bool:
        """Take a cell of the class from another lesson that can move to a free cell of the class."""
        class_key = self.units[u].class_key
        free = self._free_planned(class_key)
        if not free:
            return False
        for cell in self._planned_cells(class_key):
            v = self.class_cell.get((class_key, cell[0], cell[1]))
            if v is None or v == u:
                continue
            rooms_v = self._take(v, cell)
            rooms_u = self._fits(u, cell)
            if rooms_u is not None:
                self._put(u, cell, rooms_u)
                for target in free:
                    rooms = self._fits(v, target)
                    if rooms is not None:
                        self._put(v, target, rooms)
                        return True
                self._take(u, cell)
            self._put(v, cell, rooms_v)
        return False

    def _push_blocker(self, u: int) -> bool:
        """A free cell of the class where only other classes' lessons are in the way: move them within
        their classes (to a free cell or by a swap there), then take the cell."""
        unit = self.units[u]
        for cell in self._free_planned(unit.class_key):
            day, slot = cell
            if self.on_day[u][day] >= unit.per_day:
                continue
            blockers = {self.teacher_cell[(t, day, slot)] for t in unit.teachers if (t, day, slot) in self.teacher_cell}
            if len(blockers) != 1:
                continue
            (w,) = blockers
            if self.units[w].class_key == unit.class_key:
                continue
            if self._relocate(w, cell) or self._swap_out(w, cell):
                rooms = self._fits(u, cell)
                if rooms is not None:
                    self._put(u, cell, rooms)
                    return True
                # The blocker moved but the rooms are still full: leave the blocker where it went.
        return False

    def _swap_out(self, w: int, cell: Cell) -> bool:
        """Move the lesson of ``w`` out of ``cell``: into the cell of another lesson of its class, which
        itself moves to a free cell of the class (never back into ``cell``, which is being freed)."""
        class_key = self.units[w].class_key
        rooms_w = self._take(w, cell)
        for other in self._planned_cells(class_key):
            x = self.class_cell.get((class_key, other[0], other[1]))
            if other == cell or x is None or x == w:
                continue
            rooms_x = self._take(x, other)
            rooms_w2 = self._fits(w, other)
            if rooms_w2 is not None:
                self._put(w, other, rooms_w2)
                for target in self._free_planned(class_key):
                    rooms_x2 = None if target == cell else self._fits(x, target)
                    if rooms_x2 is not None:
                        self._put(x, target, rooms_x2)
                        return True
                self._take(w, other)
            self._put(x, other, rooms_x)
        self._put(w, cell, rooms_w)
        return False

    def _tightness(self) -> dict[int, float]:
        """A teacher's weekly lessons per cell in which their classes are at school: near 1, no slack."""
        cells: dict[int, set[tuple[int, int, int]]] = {}
        for unit in self.units:
            for teacher in unit.teachers:
                cells.setdefault(teacher, set()).update(
                    (unit.class_key, d, s) for d, s in self._planned_cells(unit.class_key)
                )
        return {t: self.load[t] / len({(d, s) for _c, d, s in c}) for t, c in cells.items() if c}

    def _order(self) -> list[int]:
        tight = self._tightness()

        def difficulty(u: int) -> tuple[int, int, float, float]:
            unit = self.units[u]
            gym = any(not p.any_room for p in unit.parts)
            tightest = max((tight.get(t, 0.0) for t in unit.teachers), default=0.0)
            return (-len(unit.parts), -int(gym), -round(tightest, 1), self.rng.random())

        order = sorted(range(len(self.units)), key=difficulty)
        return [u for u in order for _ in range(self.units[u].per_week)]

    def _holes(self, class_key: int, day: int) -> list[int]:
        top = self.max_slot[class_key]
        taken = [slot for slot in range(1, top + 1) if (class_key, day, slot) in self.class_cell]
        return [slot for slot in range(1, taken[-1]) if slot not in taken] if taken else []

    def _compact(self) -> int:
        """Close the gaps in class days: move a later lesson of that day, or the last lesson of another
        day, down into the gap. Returns the gaps left."""
        moved = True
        while moved:
            moved = False
            for class_key in self.by_class:
                for day in DAYS:
                    for hole in self._holes(class_key, day):
                        if self._fill(class_key, day, hole):
                            moved = True
                            break
        return sum(len(self._holes(c, d)) for c in self.by_class for d in DAYS)

    def _fill(self, class_key: int, day: int, hole: int) -> bool:
        top = self.max_slot[class_key]
        candidates = [(day, slot) for slot in range(top, hole, -1)]
        for other in DAYS:
            if other != day:
                last = max((s for s in range(1, top + 1) if (class_key, other, s) in self.class_cell), default=0)
                if last:
                    candidates.append((other, last))
        for cell in candidates:
            u = self.class_cell.get((class_key, cell[0], cell[1]))
            if u is None:
                continue
            rooms = self._take(u, cell)
            new_rooms = self._fits(u, (day, hole))
            if new_rooms is not None:
                self._put(u, (day, hole), new_rooms)
                return True
            self._put(u, cell, rooms)
        return False

    def run(self, attempts: int = 6) -> Result:
        """The best of a few greedy runs (different tie-breaks): fewest unplaced, then fewest gaps in class
        days, then fewest longer days."""
        best: Result | None = None
        for attempt in range(1, attempts + 1):
            self._reset()
            unplaced: list[int] = []
            windows = 0
            for u in self._order():
                how = self._place(u)
                if how == "none":
                    unplaced.append(u)
                elif how == "window":
                    windows += 1
            gaps = self._compact()
            placements = [
                Placed(u, day, slot, rooms)
                for u in range(len(self.units))
                for (day, slot), rooms in sorted(self.cells[u].items())
            ]
            result = Result(placements, len(unplaced), windows, gaps, self.swaps, attempt, unplaced)
            if best is None or (result.unplaced, result.gaps, result.windows) < (
                best.unplaced,
                best.gaps,
                best.windows,
            ):
                best = result
            if best.unplaced == 0 and best.gaps == 0:
                break
        if best is None:
            raise ValueError("attempts must be at least 1")
        best.attempts = attempt
        return best
