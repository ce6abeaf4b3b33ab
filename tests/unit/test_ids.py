"""kit/ids.py: what a path id and an id list from a query accept, refuse (400) and drop."""

from __future__ import annotations

import pytest

from localfluence.errors import BadRequest
from localfluence.kit.ids import MAX_STORED_ID, parse_id, parse_id_list, stored_id

REFUSED = [
    "",
    "٣",
    "²",
    "1e3",
    "-1",
    "+1",
    "0",
    " 1",
    "1 ",
    "1_0",
    "abc",
    "99999999999999999999",
    str(2**63),
    "9" * 5000,
]


@pytest.mark.parametrize("raw", REFUSED)
def test_a_path_id_is_a_positive_long_in_ascii_digits(raw: str) -> None:
    with pytest.raises(BadRequest) as error:
        parse_id(raw, "space id")
    assert error.value.message == f"Invalid space id: {raw}"
    assert stored_id(raw) is None


@pytest.mark.parametrize(("raw", "number"), [("1", 1), ("007", 7), (str(MAX_STORED_ID), MAX_STORED_ID)])
def test_a_stored_id(raw: str, number: int) -> None:
    assert parse_id(raw) == number
    assert stored_id(raw) == number


@pytest.mark.parametrize("raw", [str(MAX_STORED_ID + 1), str(2**63 - 1)])
def test_a_long_beyond_the_stored_range_names_nothing(raw: str) -> None:
    assert parse_id(raw) is None
    assert stored_id(raw) is None


def test_an_absent_list_is_no_filter_and_an_empty_one_matches_nothing() -> None:
    assert parse_id_list(None, "ids") is None
    assert parse_id_list([], "ids") == []
    assert parse_id_list(["", ",,", " , "], "ids") == []


def test_a_list_is_repeated_or_comma_separated() -> None:
    assert parse_id_list(["1,2", "3", " 4 , ,5,"], "ids") == [1, 2, 3, 4, 5]


def test_ids_no_row_can_have_are_dropped() -> None:
    got = parse_id_list(["-1,0,+7,2147483648,99999999999999999999," + "9" * 5000 + ",8"], "ids")
    assert got == [7, 8]


@pytest.mark.parametrize("item", ["٣", "²", "1e3", "1_0", "abc", "+-1", "1 2", "0x10"])
def test_a_list_item_that_is_no_integer_is_refused(item: str) -> None:
    with pytest.raises(BadRequest) as error:
        parse_id_list(["1", f"2,{item}"], "space-id")
    assert error.value.message == "Invalid space-id: use numeric ids"


def test_a_list_takes_its_first_ids_only() -> None:
    values = [",".join(str(i) for i in range(1, 301))]
    assert parse_id_list(values, "ids") == list(range(1, 251))
    assert parse_id_list(values, "space-id", limit=100) == list(range(1, 101))
