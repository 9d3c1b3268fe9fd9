"""check_audience: who may receive marketing, with the reason of each refusal (R35-R43)."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vigie.audit.actor import Actor
from vigie.consent import services
from vigie.consent.audience import check_audience
from vigie.consent.importing import import_csv
from vigie.consent.models import Method
from vigie.people.models import Source, SubjectType

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

B2B = (SubjectType.PROSPECT_B2B,)
HEADER = (
    "email,first_name,last_name,subject_types,source,source_name,"
    "partner_permission_ref,purpose,consent,collected_at\n"
)


def reasons(purpose: str, addresses: list[str]) -> dict[str, str | None]:
    return {r.address: r.reason for r in check_audience(purpose, addresses)}


def test_the_four_refusals_of_the_acceptance_have_the_right_reason(
    make_person, subscribe, staff_actor
) -> None:
    make_person("prospect@exemple.fr", types=(SubjectType.PROSPECT_B2C,))
    make_person("dsi.perso@gmail.com", types=B2B, informed=True)
    objector = make_person("opposant@entreprise.fr", types=B2B, informed=True)
    subscribe(objector, "offres")
    services.object_to_marketing(staff_actor, objector, method=Method.PHONE)
    leaver = make_person("parti@exemple.fr")
    subscribe(leaver, "offres")
    services.withdraw(staff_actor, leaver, "offres", method=Method.POST)

    report = import_csv(
        Actor.cli("test"),
        io.StringIO(
            HEADER + "PARTI@EXEMPLE.FR,Paul,Parti,prospect_B2C,subject,,,offres,yes,2026-01-10\n"
        ),
        wording="J'accepte les offres.",
        channel="import:test.csv",
    )

    assert report.counts() == {
        "read": 1,
        "imported": 0,
        "unchanged": 0,
        "suppressed": 1,
        "refused_b2c": 0,
        "organisations": 0,
        "errors": 0,
    }
    assert reasons(
        "offres",
        [
            "prospect@exemple.fr",
            "dsi.perso@gmail.com",
            "opposant@entreprise.fr",
            "Parti@Exemple.fr",
        ],
    ) == {
        "prospect@exemple.fr": "NO_LEGAL_BASIS",
        "dsi.perso@gmail.com": "PERSONAL_ADDRESS_NO_CONSENT",
        "opposant@entreprise.fr": "OBJECTED",
        "Parti@Exemple.fr": "SUPPRESSED",
    }


def test_a_b2b_contact_informed_at_collection_at_a_business_address_is_allowed(
    make_person,
) -> None:
    make_person("dsi@entreprise.fr", types=B2B, informed=True)
    make_person("achats@entreprise.fr", types=B2B, informed=False)
    assert reasons("offres", ["dsi@entreprise.fr", "achats@entreprise.fr"]) == {
        "dsi@entreprise.fr": None,
        "achats@entreprise.fr": "NO_LEGAL_BASIS",
    }
    # The newsletter always needs consent.
    assert reasons("newsletter", ["dsi@entreprise.fr"]) == {"dsi@entreprise.fr": "NO_LEGAL_BASIS"}


def test_a_b2b_contact_at_a_personal_address_is_allowed_with_consent(
    make_person, subscribe
) -> None:
    person = make_person("dsi.perso@gmail.com", types=B2B, informed=True)
    subscribe(person, "offres")
    assert reasons("offres", ["dsi.perso@gmail.com"]) == {"dsi.perso@gmail.com": None}


def test_the_personal_domains_come_from_the_setting(make_person, settings) -> None:
    make_person("dsi@entreprise.fr", types=B2B, informed=True)
    settings.PERSONAL_DOMAINS = ["entreprise.fr"]
    assert reasons("offres", ["dsi@entreprise.fr"]) == {
        "dsi@entreprise.fr": "PERSONAL_ADDRESS_NO_CONSENT"
    }


def test_a_b2c_client_with_a_soft_opt_in_gets_semi_offers_only(make_person, staff_actor) -> None:
    client = make_person("client@exemple.fr", types=(SubjectType.CLIENT_INDIVIDUAL_B2C,))
    services.record_consent(
        staff_actor, client, "offres", wording="w", method=Method.API, soft_opt_in=True
    )
    assert reasons("offres", ["client@exemple.fr"]) == {"client@exemple.fr": None}
    assert reasons("offres_partenaires", ["client@exemple.fr"]) == {
        "client@exemple.fr": "NO_LEGAL_BASIS"
    }


def test_partner_data_waits_for_the_art14_notice_even_with_consent(make_person, subscribe) -> None:
    person = make_person("via.partenaire@exemple.fr", source=Source.PARTNER)
    subscribe(person, "offres_partenaires")
    assert reasons("offres_partenaires", ["via.partenaire@exemple.fr"]) == {
        "via.partenaire@exemple.fr": "ART14_NOTICE_PENDING"
    }


def test_an_unknown_address_is_refused_and_a_suppressed_unknown_one_says_so(
    make_person, subscribe, staff_actor
) -> None:
    person = make_person("oublie@exemple.fr")
    services.object_to_marketing(staff_actor, person, method=Method.POST)
    from vigie.people.services import shred_person

    shred_person(staff_actor, person)
    assert reasons(
        "newsletter", ["inconnu@exemple.fr", "oublie@exemple.fr", "pas-une-adresse"]
    ) == {
        "inconnu@exemple.fr": "UNKNOWN",
        "oublie@exemple.fr": "SUPPRESSED",
        "pas-une-adresse": "UNKNOWN",
    }


def test_results_come_back_in_the_order_given_with_the_address_as_given(
    make_person, subscribe
) -> None:
    subscribe(make_person("abonne@exemple.fr"))
    results = check_audience("newsletter", ["x@y.fr", " Abonne@Exemple.FR", "x@y.fr"])
    assert [(r.address, r.allowed) for r in results] == [
        ("x@y.fr", False),
        (" Abonne@Exemple.FR", True),
        ("x@y.fr", False),
    ]


def test_the_number_of_queries_does_not_grow_with_the_list(make_person, subscribe) -> None:
    known = [make_person(f"connu{n}@exemple.fr") for n in range(5)]
    for person in known[:3]:
        subscribe(person)
    addresses = [f"connu{n}@exemple.fr" for n in range(5)]
    small = addresses + [f"inconnu{n}@exemple.fr" for n in range(5)]
    large = addresses + [f"inconnu{n}@exemple.fr" for n in range(495)]
    with CaptureQueriesContext(connection) as for_small:
        check_audience("newsletter", small)
    with CaptureQueriesContext(connection) as for_large:
        results = check_audience("newsletter", large)
    assert len(for_small.captured_queries) == len(for_large.captured_queries) <= 2
    assert sum(r.allowed for r in results) == 3


def test_a_very_long_list_is_checked_in_bounded_chunks(
    make_person, django_assert_max_num_queries
) -> None:
    make_person("connu@exemple.fr")
    addresses = ["connu@exemple.fr"] + [f"inconnu{n}@exemple.fr" for n in range(2500)]
    with django_assert_max_num_queries(6):
        results = check_audience("offres", addresses)
    assert len(results) == 2501 and not any(r.allowed for r in results)


def test_an_unknown_purpose_is_refused() -> None:
    with pytest.raises(ValueError):
        check_audience("spam", ["a@b.fr"])


def test_a_lapsed_double_opt_in_gives_back_the_state_before_it(make_person) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from vigie.consent.models import Status, Subscription

    now = timezone.now()
    cases = {
        # address: (still pending?, state before the request, expected answer)
        "encore@entreprise.fr": (True, "", "PENDING_CONFIRMATION"),
        "sans-suite@entreprise.fr": (False, "", None),
        "deja-abonne@exemple.fr": (False, Status.SUBSCRIBED, None),
        "desabonne@exemple.fr": (False, Status.WITHDRAWN, "NO_LEGAL_BASIS"),
    }
    for address, (live, before, _answer) in cases.items():
        # Business contacts informed at collection: without consent, opt-out applies (R36).
        person = make_person(address, types=B2B, informed=True)
        Subscription.objects.create(
            person=person,
            purpose="offres",
            status=Status.PENDING,
            since=now,
            pending_expires_at=now + timedelta(days=3 if live else -1),
            status_before_pending=before,
        )
    assert reasons("offres", list(cases)) == {a: c[2] for a, c in cases.items()}


def test_people_sharing_an_address_get_one_answer_the_strictest_first(
    make_person, subscribe, staff_actor
) -> None:
    # A shared mailbox: one subscriber, one without consent; any allowance wins over a
    # refusal that is not absolute...
    subscribe(make_person("contact@exemple.fr"), "offres")
    make_person("contact@exemple.fr")
    # ...but an objection of any of them holds for the address.
    subscribe(make_person("accueil@exemple.fr"), "offres")
    services.object_to_marketing(staff_actor, make_person("accueil@exemple.fr"), method=Method.POST)
    # Refusals only: the most telling one (a pending confirmation before no legal basis).
    make_person("standard@exemple.fr")
    services.start_double_opt_in(
        services.subject_actor("198.51.100.7"),
        make_person("standard@exemple.fr"),
        "offres",
        wording="w",
        channel="https://semi.example/offres/",
        ip="198.51.100.7",
    )
    assert reasons(
        "offres", ["contact@exemple.fr", "accueil@exemple.fr", "standard@exemple.fr"]
    ) == {
        "contact@exemple.fr": None,
        "accueil@exemple.fr": "OBJECTED",
        "standard@exemple.fr": "PENDING_CONFIRMATION",
    }


def test_an_erased_person_is_no_longer_an_audience(make_person, subscribe, staff_actor) -> None:
    from vigie.people.services import shred_person

    person = make_person("parti@entreprise.fr", types=B2B, informed=True)
    subscribe(person, "offres")
    shred_person(staff_actor, person)
    assert reasons("offres", ["parti@entreprise.fr"]) == {"parti@entreprise.fr": "UNKNOWN"}


def test_the_api_answers_the_same_as_the_service_for_every_reason(
    make_person, subscribe, staff_actor, client
) -> None:
    from vigie.accounts.models import User
    from vigie.accounts.permissions import Permission, Role
    from vigie.accounts.services import create_api_key

    make_person("prospect@exemple.fr", types=(SubjectType.PROSPECT_B2C,))
    make_person("dsi.perso@gmail.com", types=B2B, informed=True)
    make_person("dsi@entreprise.fr", types=B2B, informed=True)
    objector = make_person("opposant@entreprise.fr", types=B2B, informed=True)
    services.object_to_marketing(staff_actor, objector, method=Method.PHONE)
    make_person("via.partenaire@exemple.fr", source=Source.PARTNER)
    addresses = [
        "prospect@exemple.fr",
        "DSI.perso@gmail.com",
        "dsi@entreprise.fr",
        "opposant@entreprise.fr",
        "via.partenaire@exemple.fr",
        "inconnu@exemple.fr",
        "élodie@exemple.fr",
    ]
    owner = User.objects.create_user("outil", password=None, role=Role.SALES)
    _key, token = create_api_key(
        staff_actor, owner, name="mailing", scopes=[Permission.AUDIENCE_CHECK]
    )
    response = client.post(
        "/api/v1/audience/check",
        {"purpose": "offres", "addresses": addresses},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    expected = [
        {"address": r.address, "allowed": r.allowed, "reason": r.reason}
        for r in check_audience("offres", addresses)
    ]
    assert response.json() == {"results": expected}
    assert [r["reason"] for r in expected] == [
        "NO_LEGAL_BASIS",
        "PERSONAL_ADDRESS_NO_CONSENT",
        None,
        "OBJECTED",
        "ART14_NOTICE_PENDING",
        "UNKNOWN",
        "UNKNOWN",
    ]
