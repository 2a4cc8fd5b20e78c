"""The bounded memo behind route and operation lookups."""

from __future__ import annotations

from mockserver.memo import Memo


def test_an_answer_is_made_once_and_a_full_memo_starts_over() -> None:
    made: list[int] = []

    def square(n: int) -> int:
        made.append(n)
        return n * n

    memo: Memo[int, int] = Memo(limit=3)
    assert [memo.get(n, square, n) for n in (1, 2, 1, 3, 2)] == [1, 4, 1, 9, 4]
    assert made == [1, 2, 3]
    assert memo.get(4, square, 4) == 16  # the fourth key: the memo starts over
    assert len(memo) == 1
    assert memo.get(1, square, 1) == 1
    assert made == [1, 2, 3, 4, 1]
