"""Restriction on a rights case (Art. 18, R55): set while contested accuracy is checked,
recipients' notices opened (R57), « LIMITÉ » shown, disclosures refused, lifting only
after the letter to the person (FR and EN), each step behind its permission."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.rights.backoffice import open_verified
from tests.rights.conftest import ON_FILE, deliver_all, received
from vigie.accounts.permissions import Role
from vigie.audit.actor import Actor
from vigie.disclosures.services import DisclosureError, record_disclosure
from vigie.people.models import Person, Restriction
from vigie.people.restrictions import is_restricted
from vigie.rights import services
from vigie.rights.models import NoticeTrigger
from vigie.rights.restriction import (
    lift_case_restrictions,
    restrict_case,
    send_lifting_notice,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"])
WHEN = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
CHECKED = ["rectification", "restriction"]


def _url(case, action: str = "") -> str:
    return f"/backoffice/rights/{case.pk}/" + (f"{action}/" if action else "")


def test_a_rectification_asked_with_restriction_restricts_at_once(claire: Person) -> None:
    record_disclosure(Actor.cli(), claire, "debt-collectors", ["identity-contact"], WHEN)

    case = open_verified(claire, types=CHECKED)

    [restriction] = Restriction.objects.filter(person=claire)
    assert restriction.reason == "accuracy_contested" and restriction.case_number == case.number
    assert is_restricted(claire)
    # Art. 19: the recipient that received the data gets its notice task.
    [notice] = case.notices.all()
    assert (notice.recipient.key, notice.trigger) == ("debt-collectors", NoticeTrigger.RESTRICTION)
    assert case.events.filter(kind="restricted").count() == 1


def test_a_restricted_persons_data_goes_out_only_for_legal_claims(claire: Person) -> None:
    open_verified(claire, types=CHECKED)

    with pytest.raises(DisclosureError, match="LIMITÉ"):
        record_disclosure(Actor.cli(), claire, "debt-collectors", ["identity-contact"], WHEN)
    _disclosure, created = record_disclosure(
        Actor.cli(),
        claire,
        "external-counsel",
        ["identity-contact"],
        WHEN,
        legal_basis="legal_claims",
    )
    assert created


@pytest.mark.parametrize(
    ("language", "subject", "phrase"),
    [
        ("fr", "fin de la limitation", "cette limitation va être levée"),
        ("en", "the restriction of your data will be lifted", "about to be lifted"),
    ],
)
def test_lifting_fails_until_the_letter_is_queued(
    claire: Person, smtp_server, language: str, subject: str, phrase: str
) -> None:
    case = open_verified(claire, types=CHECKED)
    case.language = language
    case.save(update_fields=["language"])

    with pytest.raises(services.RightsError, match=r"art\. 18\(3\)"):
        lift_case_restrictions(Actor.cli(), case)
    assert is_restricted(claire)

    assert send_lifting_notice(Actor.cli(), case) == 1
    assert Restriction.objects.get(person=claire).notice_sent_at is not None
    deliver_all()
    letters = [r for r in received(smtp_server) if subject in r[1]]
    assert len(letters) == 1 and letters[0][0] == ON_FILE and phrase in letters[0][2]
    assert case.number in letters[0][1]

    assert lift_case_restrictions(Actor.cli(), case) == 1
    assert not is_restricted(claire)
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["restriction_notice", "restriction_lifted"]


def test_the_case_and_person_pages_say_limite(claire, signed_in, privacy_lead) -> None:
    case = open_verified(claire, types=CHECKED)
    client = signed_in(privacy_lead)

    page = client.get(_url(case)).content.decode()
    assert "LIMITÉ" in page and 'id="restricted"' in page
    assert "Envoyer le courrier de levée" in page
    person_page = client.get(f"/backoffice/people/{claire.pk}/").content.decode()
    assert 'id="restricted"' in person_page and case.number in person_page


def test_a_handler_restricts_from_the_page_and_lifting_first_is_a_form_error(
    claire, signed_in, make_staff
) -> None:
    case = open_verified(claire, types=["restriction"])
    client = signed_in(make_staff(Role.SALES))

    assert client.post(_url(case, "restrict-while-checked")).status_code == 302
    assert is_restricted(claire)
    early = client.post(_url(case, "lift"))
    assert early.status_code == 400
    assert "avant la levée" in early.content.decode()
    assert client.post(_url(case, "lifting-notice")).status_code == 302
    assert client.post(_url(case, "lift")).status_code == 302
    assert not is_restricted(claire)


def test_restrict_with_a_reason_and_categories(claire, signed_in, privacy_lead) -> None:
    case = open_verified(claire, types=["restriction"])
    response = signed_in(privacy_lead).post(
        _url(case, "restrict"), {"reason": "legal_claims", "categories": ["billing-accounting"]}
    )
    assert response.status_code == 302
    restriction = Restriction.objects.get(person=claire)
    assert restriction.categories == ["billing-accounting"]
    bad = signed_in(privacy_lead).post(_url(case, "restrict"), {"reason": "because"})
    assert bad.status_code == 400


@pytest.mark.parametrize("action", ["restrict", "restrict-while-checked", "lifting-notice", "lift"])
def test_outsiders_and_readers_are_refused(claire, signed_in, outsider, auditor, action) -> None:
    case = open_verified(claire, types=CHECKED)
    assert signed_in(outsider).post(_url(case, action)).status_code == 403
    assert signed_in(auditor).post(_url(case, action)).status_code == 403
    assert is_restricted(claire)


def test_a_role_without_handling_cannot_restrict_through_the_service(claire, make_staff):
    case = open_verified(claire, types=["restriction"])
    technician = Actor.for_user(make_staff(Role.TECHNICIAN))
    with pytest.raises(services.NotAllowed):
        restrict_case(technician, case)
    assert not is_restricted(claire)


@pytest.mark.django_db(databases=["default", "keys"], transaction=True)
def test_a_mailbox_request_sorted_as_rectification_and_restriction_restricts(
    claire, mailbox, privacy_lead, signed_in
) -> None:
    from tests.mail.conftest import mail_bytes
    from vigie.mail.inbound import poll_mailbox
    from vigie.mail.models import InboundMessage

    mailbox.append(
        mail_bytes(sender=ON_FILE, subject="Erreur", text="Mon nom est faux, limitez en attendant.")
    )
    poll_mailbox()
    message = InboundMessage.objects.get()
    assert not is_restricted(claire)

    done = signed_in(privacy_lead).post(
        f"/backoffice/rights/triage/{message.pk}/",
        {"action": "qualify", "types": ["rectification", "restriction"]},
    )

    assert done.status_code == 302
    assert is_restricted(claire)
