"""Every numeric id a vendor hands out fits a signed 64-bit integer (Java long, .NET Int64)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.vendors.kit.ids import HEX, INT64_MAX, Ids, id_bounds
from mockserver.vendors.ringcentral.wire import stable_digits


def test_conversation_ids_stay_below_2_pow_63() -> None:
    # 19 random digits are above 2**63 - 1 about 9 % of the time: 10,000 draws hit it surely
    ids = [int(stable_digits(19, 7, "session", n)) for n in range(10_000)]
    assert all(0 < value <= INT64_MAX for value in ids)
    assert all(len(str(value)) == 19 for value in ids)


@pytest.mark.parametrize("length", [9, 10, 11, 19])
def test_stable_digits_of_every_length_in_use_fit_int64(length: int) -> None:
    ids = [int(stable_digits(length, "x", n)) for n in range(2_000)]
    assert all(10 ** (length - 1) <= value <= INT64_MAX for value in ids)


def test_seeded_numeric_ids_fit_int64() -> None:
    ids = Ids(seed=42)
    for length in (10, 11):
        assert all(0 < int(ids.digits("s", length)) <= INT64_MAX for _ in range(10_000))


def test_a_length_no_int64_holds_is_refused() -> None:
    with pytest.raises(ValueError, match="20-digit"):
        id_bounds(20)


@given(st.integers(min_value=1, max_value=19), st.text(max_size=20))
def test_stable_digits_property(length: int, part: str) -> None:
    value = stable_digits(length, part)
    assert len(value) == length
    assert 0 < int(value) <= INT64_MAX


@pytest.mark.parametrize("seed", [0, 1, 2026])
def test_hex_ids_are_the_draws_of_random_choice(seed: int) -> None:
    # the inlined draws must give exactly what rng.choice gave, or --seed runs would change
    ids, ref = Ids(seed), Ids(seed)
    for session, length in ((None, 32), ("s1", 8), (None, 1), ("s1", 32)):
        rng = ref.rng(session)
        assert ids.hex(session, length) == "".join(rng.choice(HEX) for _ in range(length))
    assert ids.uuid(None)[14] == "4"


@pytest.mark.parametrize("seed", [0, 1, 2026])
def test_digit_ids_are_the_draws_of_random_randint(seed: int) -> None:
    ids, ref = Ids(seed), Ids(seed)
    for session, length in ((None, 10), ("s1", 1), (None, 19), ("s1", 10)):
        rng = ref.rng(session)
        first = str(rng.randint(1, 9))
        assert ids.digits(session, length) == first + "".join(
            str(rng.randint(0, 9)) for _ in range(length - 1)
        )
