"""People pages: names shown to roles that may read people, every display journaled;
search through blind indexes only; roles enforced."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vigie.audit.models import Event
from vigie.people.models import ContactKind, Organisation, OrganisationKind, SubjectType
from vigie.people.services import add_contact_point, create_person, shred_person

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

READ = "personal_data:read"


@pytest.fixture
def person(cli_actor):
    company = Organisation.objects.create(name="Garnier SA", kind=OrganisationKind.CLIENT_COMPANY)
    return create_person(
        cli_actor,
        email="lea.bernard@exemple.fr",
        first_name="Léa",
        last_name="Bernard-Lefèvre",
        organisation=company,
        subject_types=[SubjectType.CLIENT_CONTACT_B2B],
    )


@pytest.fixture
def other(cli_actor):
    return create_person(
        cli_actor, email="marc.petit@exemple.fr", first_name="Marc", last_name="Petit"
    )


def test_the_list_shows_names_organisation_types_and_french_dates(
    signed_in, make_staff, person
) -> None:
    whole = signed_in(make_staff("sales")).get(reverse("people:list")).content.decode()
    # The table itself (the filter form's option values are codes, as they should be).
    page = whole[whole.index("<tbody>") :]
    assert "Léa Bernard-Lefèvre" in page
    assert "Garnier SA" in page
    assert "Contact client professionnel" in page
    assert "client_contact_B2B" not in page
    assert person.collected_at.astimezone().strftime("%d/%m/%Y") in page
    # Names, never addresses, in the list.
    assert "lea.bernard@exemple.fr" not in page


def test_a_page_of_names_is_journaled_as_one_read_event_naming_each_person(
    signed_in, make_staff, person, other
) -> None:
    sales = make_staff("sales")
    signed_in(sales).get(reverse("people:list"))
    events = Event.objects.filter(action=READ, extra__view="people:list")
    assert events.count() == 1
    event = events.get()
    assert event.actor_id == str(sales.pk)
    assert sorted(event.extra["ids"]) == sorted([str(person.pk), str(other.pk)])


def test_an_empty_result_records_no_read(signed_in, make_staff, person) -> None:
    signed_in(make_staff("sales")).get(reverse("people:list"), {"q": "Personne"})
    assert not Event.objects.filter(action=READ).exists()


@pytest.mark.parametrize(
    "query", ["Bernard", "bernard lea", "LEFEVRE", "Léa Bernard-Lefèvre", "lefèvre bernard"]
)
def test_it_finds_a_person_by_any_whole_words_of_the_name(
    signed_in, make_staff, person, other, query
) -> None:
    page = signed_in(make_staff("sales")).get(reverse("people:list"), {"q": query})
    text = page.content.decode()
    assert reverse("people:detail", args=[person.pk]) in text
    assert reverse("people:detail", args=[other.pk]) not in text


def test_every_word_must_match(signed_in, make_staff, person, other) -> None:
    text = (
        signed_in(make_staff("sales"))
        .get(reverse("people:list"), {"q": "Léa Petit"})
        .content.decode()
    )
    assert reverse("people:detail", args=[person.pk]) not in text
    assert reverse("people:detail", args=[other.pk]) not in text


def test_it_finds_a_person_by_main_address_and_by_a_contact_point_address(
    signed_in, make_staff, person, other, cli_actor
) -> None:
    add_contact_point(cli_actor, person, ContactKind.EMAIL, "l.bernard@perso.example")
    client = signed_in(make_staff("sales"))
    for address in ["LEA.BERNARD@exemple.fr", "l.bernard@perso.example"]:
        text = client.get(reverse("people:list"), {"q": address}).content.decode()
        assert reverse("people:detail", args=[person.pk]) in text, address
        assert reverse("people:detail", args=[other.pk]) not in text
    text = client.get(reverse("people:list"), {"q": "nobody@nowhere.example"}).content.decode()
    assert reverse("people:detail", args=[person.pk]) not in text


def test_a_shredded_person_is_no_longer_found_by_name(
    signed_in, make_staff, person, cli_actor
) -> None:
    shred_person(cli_actor, person)
    text = (
        signed_in(make_staff("sales"))
        .get(reverse("people:list"), {"q": "Bernard"})
        .content.decode()
    )
    assert reverse("people:detail", args=[person.pk]) not in text


def test_the_search_box_gets_only_the_results_through_htmx(signed_in, make_staff, person) -> None:
    response = signed_in(make_staff("sales")).get(
        reverse("people:list"), {"q": "bernard"}, HTTP_HX_REQUEST="true"
    )
    text = response.content.decode()
    assert "Léa Bernard-Lefèvre" in text
    assert "<html" not in text and "<form" not in text
    assert "HX-Request" in response["Vary"]


def test_the_list_costs_a_bounded_number_of_queries(
    signed_in, make_staff, cli_actor, django_assert_max_num_queries
) -> None:
    for n in range(30):
        create_person(cli_actor, email=f"p{n}@exemple.fr", first_name="Anne", last_name=f"Nom{n}")
    client = signed_in(make_staff("sales"))
    with django_assert_max_num_queries(16):
        response = client.get(reverse("people:list"), {"q": "anne"})
    assert response.content.decode().count("Anne Nom") == 30


def test_people_also_in_other_tools_are_marked_and_can_be_filtered(
    signed_in, make_staff, person, other, cli_actor
) -> None:
    from vigie.people.services import mark_also_in_sources

    mark_also_in_sources(cli_actor, [person], "GLPI")
    client = signed_in(make_staff("sales"))
    text = client.get(reverse("people:list"), {"in_other_sources": "on"}).content.decode()
    assert reverse("people:detail", args=[person.pk]) in text
    assert "GLPI" in text
    assert reverse("people:detail", args=[other.pk]) not in text


def test_the_detail_page_decrypts_and_journals_the_read(signed_in, make_staff, person) -> None:
    sales = make_staff("sales")
    page = signed_in(sales).get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Léa Bernard-Lefèvre" in page and "lea.bernard@exemple.fr" in page
    event = Event.objects.get(action=READ, object_id=str(person.pk))
    assert event.actor_id == str(sales.pk)


def test_a_shredded_person_shows_as_erased(signed_in, make_staff, person, cli_actor) -> None:
    shred_person(cli_actor, person)
    page = (
        signed_in(make_staff("sales"))
        .get(reverse("people:detail", args=[person.pk]))
        .content.decode()
    )
    assert "key was destroyed" in page or "clé" in page
    assert "Bernard" not in page


def test_a_technician_cannot_open_people(signed_in, technician, person) -> None:
    client = signed_in(technician)
    assert client.get(reverse("people:list")).status_code == 403
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 403


def test_an_art14_notice_past_its_due_date_reads_as_late(
    signed_in, make_staff, person, other
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    person.art14_notice_due_at = now - timedelta(days=3)
    person.save(update_fields=["art14_notice_due_at"])
    other.art14_notice_due_at = now + timedelta(days=10)
    other.save(update_fields=["art14_notice_due_at"])
    client = signed_in(make_staff("sales"))
    page = client.get(reverse("people:list")).content.decode()
    late = timezone.localtime(person.art14_notice_due_at).strftime("%d/%m/%Y")
    upcoming = timezone.localtime(other.art14_notice_due_at).strftime("%d/%m/%Y")
    assert f"en retard : à envoyer au plus tard le {late}" in page
    assert f"à envoyer d’ici le {upcoming}" in page
    detail = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert f"en retard : à envoyer au plus tard le {late}" in detail
