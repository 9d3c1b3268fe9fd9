"""``__any_of``: one array parameter on PostgreSQL, the same answers as ``__in`` everywhere."""

from __future__ import annotations

import pytest

from vigie.people.models import Person

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def people(cli_actor) -> list[Person]:
    from vigie.people.services import create_person

    return [create_person(cli_actor, email=f"p{n}@example.fr") for n in range(3)]


@pytest.mark.parametrize(
    "values",
    ["empty", "none", "unknown", "first", "first+none", "all", "queryset"],
)
def test_any_of_answers_like_in_for_filter_and_exclude(people, values) -> None:
    index = [p.email_index for p in people]
    chosen = {
        "empty": [],
        "none": [None],
        "unknown": ["nope"],
        "first": [index[0]],
        "first+none": [index[0], None],
        "all": index,
        "queryset": Person.objects.filter(pk=people[1].pk).values("email_index"),
    }[values]
    for method in ("filter", "exclude"):
        query = getattr(Person.objects, method)
        assert set(query(email_index__any_of=chosen)) == set(query(email_index__in=chosen))
