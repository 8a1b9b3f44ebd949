"""Building answer vectors for the tests. These only arrange raw answers; every expected total,
band and flag in the tests is worked out by hand from instruments.md, never by calling the engine."""

from __future__ import annotations


def filled(total: int, n: int, top: int, bottom: int = 0) -> list[int]:
    """n answers in bottom..top whose plain sum is `total`, filled from the first item: e.g.
    filled(10, 9, 3) == [3, 3, 3, 1, 0, 0, 0, 0, 0]."""
    assert n * bottom <= total <= n * top
    answers = [bottom] * n
    remaining = total - n * bottom
    for i in range(n):
        step = min(top - bottom, remaining)
        answers[i] += step
        remaining -= step
    return answers
