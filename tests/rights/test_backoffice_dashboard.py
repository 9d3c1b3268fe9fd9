"""The rights dashboard (R47): open cases by clock colour, filters, names not ids."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.rights.backoffice import open_unknown, open_verified
from vigie.accounts.permissions import Role
from vigie.audit.actor import Actor
from vigie.lib.legal_calendar import ClockColour, paris_day
from vigie.rights import dashboard, services
from vigie.rights.models import Case

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def cases(claire) -> dict[str, Case]:
    """One case of each colour (received 5, 23, 29 and 40 days ago; one suspended)."""
    return {
        "green": open_verified(claire, days_ago=5),
        "amber": open_verified(claire, days_ago=23),
        "orange": open_verified(claire, days_ago=29),
        "red": open_verified(claire, days_ago=40),
        "suspended": open_unknown(),
    }


def test_the_counts_in_the_database_agree_with_each_case_clock(cases) -> None:
    now = timezone.now()
    for expected, case in cases.items():
        assert dashboard.colour_of(case, now) == expected
        assert services.clock_of(case).colour(now) == expected
    counts = dashboard.colour_counts(dashboard.open_cases(), now)
    assert counts == {c.value: 1 for c in ClockColour}
    for colour in ClockColour:
        [found] = Case.objects.filter(dashboard.colour_q(colour, now))
        assert found == cases[colour.value]


def test_a_deadline_set_by_the_privacy_lead_gives_the_colour_of_a_complaint(
    claire, privacy_lead
) -> None:
    now = timezone.now()
    complaint = open_verified(claire, types=["complaint"])
    assert dashboard.colour_of(complaint, now) == ClockColour.GREEN
    soon = timezone.localdate() + dt.timedelta(days=1)
    complaint = services.set_deadline(Actor.for_user(privacy_lead), complaint, soon)
    assert dashboard.colour_of(complaint, now) == ClockColour.ORANGE
    [found] = Case.objects.filter(dashboard.colour_q(ClockColour.ORANGE, now))
    assert found == complaint


def test_the_privacy_lead_sees_each_case_in_words_with_its_colour(
    cases, signed_in, privacy_lead, make_staff
) -> None:
    handler = make_staff(Role.SALES, username="bruno")
    handler.first_name, handler.last_name = "Bruno", "Petit"
    handler.save()
    services.assign(Actor.for_user(privacy_lead), cases["amber"], handler)
    response = signed_in(privacy_lead).get("/backoffice/rights/")
    assert response.status_code == 200
    page = response.content.decode()
    amber = cases["amber"]
    row = page.split(f'data-number="{amber.number}"')[1].split("</tr>")[0]
    assert "clock-amber" in row and "7 jours ou moins" in row
    assert "Accès, Effacement" in row and "Téléphone" in row
    # The page shows the Paris day (between 23:00 and 00:00 UTC it is the next one).
    assert paris_day(amber.received_at).strftime("%d/%m/") in row
    assert amber.due_date.strftime("%d/%m/%Y") in row
    assert "Bruno Petit" in row and "bruno" not in row
    assert "En cours" in row
    for colour in ClockColour:
        assert f'id="count-{colour.value}"' in page
    assert '<span class="figure">1</span> En retard' in page


def test_the_list_filters_by_colour_and_by_handler(cases, signed_in, privacy_lead) -> None:
    client = signed_in(privacy_lead)
    page = client.get("/backoffice/rights/?colour=red").content.decode()
    assert cases["red"].number in page and cases["amber"].number not in page
    services.assign(Actor.for_user(privacy_lead), cases["green"], privacy_lead)
    page = client.get(f"/backoffice/rights/?handler={privacy_lead.pk}").content.decode()
    assert cases["green"].number in page and cases["red"].number not in page
    page = client.get("/backoffice/rights/?status=awaiting_identity").content.decode()
    assert cases["suspended"].number in page and cases["green"].number not in page
    page = client.get("/backoffice/rights/?type=erasure").content.decode()
    assert cases["green"].number in page and cases["suspended"].number not in page


def test_a_bad_filter_value_is_a_form_error_not_a_500(cases, signed_in, privacy_lead) -> None:
    response = signed_in(privacy_lead).get("/backoffice/rights/?colour=purple&handler=abc")
    assert response.status_code == 200


def test_the_home_page_links_to_the_dashboard_with_its_counts(cases, signed_in, privacy_lead):
    page = signed_in(privacy_lead).get("/backoffice/").content.decode()
    assert 'id="panel-rights"' in page and 'href="/backoffice/rights/"' in page


def test_a_technician_records_requests_but_does_not_see_the_dashboard(
    cases, signed_in, technician
) -> None:
    client = signed_in(technician)
    assert client.get("/backoffice/rights/").status_code == 403
    assert client.get(f"/backoffice/rights/{cases['green'].pk}/").status_code == 403
    home = client.get("/backoffice/").content.decode()
    assert 'href="/backoffice/rights/new/"' in home


def test_an_outsider_is_refused_every_rights_page(cases, signed_in, outsider) -> None:
    client = signed_in(outsider)
    case = cases["green"]
    for url in ("/backoffice/rights/", "/backoffice/rights/new/", f"/backoffice/rights/{case.pk}/"):
        assert client.get(url).status_code == 403, url
    for action in (
        "verify", "challenge", "received-at", "extend", "decide", "answer",
        "close-unverified", "assign", "deadline",
    ):  # fmt: skip
        assert client.post(f"/backoffice/rights/{case.pk}/{action}/").status_code == 403, action


def test_the_dashboard_costs_the_same_queries_for_5_or_25_cases(
    claire, signed_in, privacy_lead, django_assert_max_num_queries
) -> None:
    client = signed_in(privacy_lead)
    for days in range(5):
        open_verified(claire, days_ago=days)
    client.get("/backoffice/rights/")  # the session and the caches warm
    with django_assert_max_num_queries(12) as few:
        client.get("/backoffice/rights/")
    for days in range(20):
        open_verified(claire, days_ago=days)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/backoffice/rights/").status_code == 200
