"""The rows of a demo thematic plan (КТП): topics laid over a course's lessons, with контрольные in place.

The plan is built hour by hour: position ``i`` is the course's ``i``-th lesson of the year. The
positions of the контрольные are chosen from the lesson dates (see ``planning``); the revision
lessons open and close the year; the subject's topics share the hours in between, a topic of many
hours split into rows of at most three («… (продолжение)»), and a topic cut by a контрольная
continues after it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from demo.topics import WITH_TESTS, Topic, topics_for, wording_for
from journal.models.planning import LessonKind

MAX_ROW_HOURS = 3


@dataclass
class Row:
    topic: str
    hours: int
    kind: str = LessonKind.ORDINARY
    base: str = ""  # the topic without «(продолжение)»: what a контрольная after it is about


def _chunks(hours: int) -> list[int]:
    """``hours`` split into rows of at most three hours, as even as possible (5 → 3 + 2, 7 → 3 + 2 + 2)."""
    count = -(-hours // MAX_ROW_HOURS)
    base, extra = divmod(hours, count)
    return [base + 1 if i < extra else base for i in range(count)]


def _stream(topics: list[Topic], hours: int, continued: str) -> deque[Row]:
    """The topics sharing ``hours``: numbered works one hour each, the other topics the rest."""
    if hours <= 0:
        return deque()
    if hours < len(topics):
        return deque(Row(t.text, 1, t.kind, t.text) for t in topics[:hours])
    special = [t for t in topics if t.is_special]
    ordinary = [t for t in topics if not t.is_special]
    base, extra = divmod(hours - len(special), len(ordinary))
    rows: deque[Row] = deque()
    n = 0
    for topic in topics:
        if topic.is_special:
            rows.append(Row(topic.text, 1, topic.kind, topic.text))
            continue
        share = base + (1 if n < extra else 0)
        n += 1
        for i, chunk in enumerate(_chunks(share)):
            text = topic.text if i == 0 else continued.format(topic=topic.text)
            rows.append(Row(text, chunk, topic.kind, topic.text))
    return rows


def _take(stream: deque[Row], hours: int, continued: str) -> list[Row]:
    """The next ``hours`` of the stream, ending with a whole topic: a контрольная closes a topic.

    A topic the section cannot hold is cut short; its remaining hours (its continuation rows
    included) go to the next topic of the stream.
    """
    taken: list[Row] = []
    while hours > 0 and stream:
        row = stream.popleft()
        if row.hours <= hours:
            taken.append(row)
            hours -= row.hours
            continue
        taken.append(Row(row.topic, hours, row.kind, row.base))
        stream.appendleft(Row(row.topic, row.hours - hours, row.kind, row.base))
        hours = 0
    if taken and taken[-1].kind == LessonKind.ORDINARY:
        last = taken[-1]
        rest = 0
        while stream and stream[0].base == last.base and stream[0].kind == last.kind:
            rest += stream.popleft().hours
        if rest:
            _add_hours(stream, rest, continued, last)
    return taken


def _add_hours(stream: deque[Row], hours: int, continued: str, cut: Row) -> None:
    """Give ``hours`` to the next ordinary topic of the stream, re-split into rows of at most three."""
    index = next((k for k, r in enumerate(stream) if r.kind == LessonKind.ORDINARY), None)
    if index is None:
        stream.append(Row(continued.format(topic=cut.base), hours, cut.kind, cut.base))
        return
    target = stream[index]
    same = index + 1
    total = target.hours + hours
    while same < len(stream) and stream[same].base == target.base and stream[same].kind == target.kind:
        total += stream[same].hours
        same += 1
    for _ in range(index, same):
        del stream[index]
    for k, chunk in enumerate(_chunks(total)):
        text = target.topic if k == 0 else continued.format(topic=target.base)
        stream.insert(index + k, Row(text, chunk, target.kind, target.base))


def plan_rows(*, subject: str, grade: int, total: int, per_week: int, tests: Sequence[int]) -> list[Row]:
    """``total`` hours of rows for ``subject`` in ``grade``; the контрольные at the lesson positions ``tests``."""
    wording = wording_for(subject, grade)
    test_at = sorted({p for p in tests if 0 <= p < total})
    has_review = grade >= 2 and subject in WITH_TESTS
    start = min((1 if per_week <= 2 else 2) if has_review else 0, total // 10)
    end_from = test_at[-1] + 1 if test_at else total - min(2 if has_review else 1, total // 10)
    kinds = ["topic"] * total
    for p in range(start):
        kinds[p] = "review_start"
    for p in range(end_from, total):
        kinds[p] = "review_end"
    for p in test_at:
        kinds[p] = "test"
    stream = _stream(topics_for(subject, grade), kinds.count("topic"), wording.continued)

    rows: list[Row] = []
    last_topic = subject
    tests_done = 0
    p = 0
    while p < total:
        kind = kinds[p]
        run = 1
        while p + run < total and kinds[p + run] == kind and kind != "test":
            run += 1
        if kind == "review_start":
            rows.append(Row(wording.review_start.format(prev=grade - 1), run, LessonKind.REVIEW))
        elif kind == "review_end":
            rows.append(Row(wording.review_end, run, LessonKind.REVIEW))
        elif kind == "test":
            tests_done += 1
            final = tests_done == len(test_at) and len(test_at) >= 2
            text = wording.final_test if final else wording.test.format(n=tests_done, topic=last_topic)
            rows.append(Row(text, 1, LessonKind.TEST))
        else:
            taken = _take(stream, run, wording.continued)
            got = sum(r.hours for r in taken)
            if got < run:  # only when the stream ran dry: revision fills the gap
                taken.append(Row(wording.review_end, run - got, LessonKind.REVIEW))
            rows += taken
            ordinary = [r.base for r in taken if r.kind == LessonKind.ORDINARY and r.base]
            if ordinary:
                last_topic = ordinary[-1]
        p += run
    return rows
