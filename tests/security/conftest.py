"""Personas for the permission tests whose API clients are closed after each test (an unclosed
httpx client is a ResourceWarning, which this suite treats as an error)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.conftest import Person, make_person
from tests.server import RunningServer


@pytest.fixture
def people(server: RunningServer) -> Iterator[Callable[[str], Person]]:
    made: list[Person] = []

    def make(name: str) -> Person:
        person = make_person(server, name)
        made.append(person)
        return person

    yield make
    for person in made:
        person.api.close()
        person.server_api.close()


@pytest.fixture
def alice(people: Callable[[str], Person]) -> Person:
    return people("Alice")


@pytest.fixture
def bob(people: Callable[[str], Person]) -> Person:
    return people("Bob")
