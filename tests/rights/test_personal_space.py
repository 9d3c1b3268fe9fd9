"""The personal space (issue 13 item 6): a link to the address on file, no account,
the person's own requests and data only, corrections logged with the old value,
requests filed already verified, post-mortem directives (R59)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.rights.conftest import ON_FILE, deliver_all, received, run_portal_jobs, strip_csrf
from vigie.audit.actor import Actor
from vigie.audit.models import Event
from vigie.people.services import create_person, find_by_email, open_person
from vigie.rights import services, space
from vigie.rights.models import Case, Channel, ContactChange, IdentityMethod, PostMortemDirective
from vigie.rights.sealing import Requester

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

SIGN_IN = "/droits/espace/connexion/"
SPACE = "/droits/espace/"
LINK = re.compile(r"https://vigie\.example(/droits/espace/entrer/[^\s\"<?]+)")


def _link_in(text: str) -> str:
    match = LINK.search(text)
    assert match, text
    return match.group(1)


def _signed_in(client: Client, person) -> Client:
    """Open the space through the link the e-mail would carry."""
    token = space.sign_in_token(person.pk)
    response = client.post(f"/droits/espace/entrer/{token}")
    assert response.status_code == 302 and response["Location"] == SPACE
    return client


def test_asking_for_the_link_answers_the_same_for_a_known_and_an_unknown_address(
    claire, smtp_server
) -> None:
    Client().post(SIGN_IN, {"email": "premier@ailleurs.example"})
    known = Client().post(SIGN_IN, {"email": ON_FILE})
    unknown = Client().post(SIGN_IN, {"email": "personne@ailleurs.example"})
    assert known.status_code == unknown.status_code == 200
    assert strip_csrf(known.content) == strip_csrf(unknown.content)
    assert "Si cette adresse figure dans nos fichiers" in known.content.decode()
    run_portal_jobs()
    deliver_all()
    # Only the address on file gets a link.
    [(to, subject, text)] = received(smtp_server)
    assert to == ON_FILE and "espace personnel" in subject
    assert _link_in(text).startswith("/droits/espace/entrer/")


def test_the_link_from_the_e_mail_opens_the_space_with_the_persons_requests(
    claire, smtp_server
) -> None:
    services.open_case(
        Actor("subject"),
        types=["access", "erasure"],
        channel=Channel.PORTAL,
        requester=Requester(email=ON_FILE, name="Claire Martin"),
        person=claire,
        verified_by=IdentityMethod.ON_FILE_ADDRESS,
    )
    Client().post(SIGN_IN, {"email": ON_FILE})
    run_portal_jobs()
    deliver_all()
    link = _link_in(received(smtp_server)[-1][2])
    client = Client()
    # A GET (a mail scanner) only shows the button.
    page = client.get(link)
    assert page.status_code == 200 and "Ouvrir mon espace personnel" in page.content.decode()
    assert space.SESSION_KEY not in client.session
    assert client.post(link)["Location"] == SPACE
    text = client.get(SPACE).content.decode()
    case = services.cases_of_person(claire)[0]
    assert case.number in text
    assert "Accès, Effacement" in text
    assert timezone.localtime(case.received_at).strftime("%d/%m/%Y") in text
    assert case.due_date.strftime("%d/%m/%Y") in text
    assert "En cours" in text
    day = timezone.localtime(case.identity_verified_at).strftime("%d/%m/%Y")
    assert f"Identité confirmée le {day}." in text
    assert "Claire" in text and ON_FILE in text
    assert "/preferences/" in text
    # Each read is journaled for the person themselves (R29).
    reads = Event.objects.filter(action="personal_data:read", actor_type="subject")
    assert {(e.object_type, e.object_id) for e in reads} >= {
        ("people.person", str(claire.pk)),
        ("rights.case", str(case.pk)),
    }
    assert Event.objects.filter(action="rights:space:sign_in", object_id=str(claire.pk)).exists()


def test_the_space_speaks_english_once_chosen(claire) -> None:
    client = _signed_in(Client(), claire)
    text = client.get(SPACE + "?lang=en").content.decode()
    assert '<html lang="en">' in text
    assert "Your personal space" in text and "Your requests" in text


def test_an_expired_or_forged_link_is_refused_with_a_clear_page(claire) -> None:
    token = space.sign_in_token(claire.pk)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        expired = Client().post(f"/droits/espace/entrer/{token}")
    assert expired.status_code == 400
    assert "Ce lien n'est pas valide" in expired.content.decode()
    forged = Client().get(f"/droits/espace/entrer/{token[:-2]}xx")
    assert forged.status_code == 400
    assert "Demander un nouveau lien" in forged.content.decode()


def test_a_link_opens_the_space_once(claire) -> None:
    """A link forwarded, left in a browser history or a proxy log is spent once used;
    a sign-in also spends the links written before it. A new link works."""
    older = space.sign_in_token(claire.pk)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=5)):
        token = space.sign_in_token(claire.pk)
        assert Client().post(f"/droits/espace/entrer/{token}").status_code == 302
        again = Client()
        assert again.get(f"/droits/espace/entrer/{token}").status_code == 400
        reused = again.post(f"/droits/espace/entrer/{token}")
        assert reused.status_code == 400 and space.SESSION_KEY not in again.session
        assert Client().post(f"/droits/espace/entrer/{older}").status_code == 400
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=10)):
        _signed_in(Client(), claire)
    assert Event.objects.filter(action="rights:space:sign_in").count() == 2


def test_nobody_else_sees_the_space(claire, cli_actor) -> None:
    # Without the link: the sign-in page.
    response = Client().get(SPACE)
    assert response.status_code == 302 and response["Location"] == SIGN_IN
    # Another person signed in sees their own data, never Claire's.
    other = create_person(cli_actor, email="paul@client.example", first_name="Paul")
    text = _signed_in(Client(), other).get(SPACE).content.decode()
    assert "Paul" in text and ON_FILE not in text and "Claire" not in text


def test_the_phone_is_corrected_at_once_and_the_old_value_kept_sealed(claire, cli_actor) -> None:
    from vigie.people.services import update_contact_details

    update_contact_details(cli_actor, claire, phone="01 23 45 67 89")
    client = _signed_in(Client(), claire)
    response = client.post("/droits/espace/telephone/", {"phone": "06 12 34 56 78"})
    assert response.status_code == 302
    claire.refresh_from_db()
    assert open_person(claire).phone == "+33612345678"
    [(change, old, new)] = space.change_history(claire)
    assert (change.field, old, new) == ("phone", "+33123456789", "+33612345678")
    # The audit log names the field, never a value.
    event = Event.objects.get(action="rights:contact:correct")
    assert event.extra == {"field": "phone"}
    assert "3456" not in str(Event.objects.values_list("extra", flat=True))


def test_a_bad_phone_gives_the_page_back_with_its_error(claire) -> None:
    client = _signed_in(Client(), claire)
    response = client.post("/droits/espace/telephone/", {"phone": "pas un numéro"})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    # A sentence, not the check's fragment (« n'est pas un numéro… » on its own).
    assert "Cette valeur n’est pas un numéro de téléphone" in response.content.decode()


def test_a_new_address_is_used_only_once_confirmed_from_it(claire, smtp_server) -> None:
    client = _signed_in(Client(), claire)
    client.post("/droits/espace/adresse/", {"new_email": "claire@nouvelle.example"})
    claire.refresh_from_db()
    assert open_person(claire).email == ON_FILE
    deliver_all()
    [(to, _subject, text)] = received(smtp_server)
    assert to == "claire@nouvelle.example"
    link = re.search(r"https://vigie\.example(/droits/espace/adresse/\S+)", text).group(1)
    assert Client().get(link).status_code == 200
    done = Client().post(link)
    assert "Votre nouvelle adresse est enregistrée" in done.content.decode()
    claire.refresh_from_db()
    assert open_person(claire).email == "claire@nouvelle.example"
    assert find_by_email("claire@nouvelle.example") == claire
    [(_change, old, new)] = space.change_history(claire)
    assert (old, new) == (ON_FILE, "claire@nouvelle.example")
    # Good once.
    assert Client().post(link).status_code == 400


def test_a_request_filed_in_the_space_is_already_verified(claire, smtp_server) -> None:
    client = _signed_in(Client(), claire)
    response = client.post(
        "/droits/espace/demande/", {"types": ["portability"], "message": "Mes factures."}
    )
    assert response.status_code == 302
    [case] = services.cases_of_person(claire)
    assert case.channel == Channel.PERSONAL_SPACE
    assert case.identity_method == IdentityMethod.PERSONAL_SPACE
    assert case.due_date is not None
    assert case.number in client.get(SPACE).content.decode()
    bad = client.post("/droits/espace/demande/", {"types": []})
    assert bad.status_code == 400


def test_post_mortem_directives_are_recorded_shown_and_replaced(claire) -> None:
    client = _signed_in(Client(), claire)
    client.post("/droits/espace/directives/", {"text": "Effacer tout. <script>x</script>"})
    text = client.get(SPACE).content.decode()
    assert "Effacer tout." in text
    assert "<script>x</script>" not in text and "&lt;script&gt;" in text
    assert timezone.localdate().strftime("%d/%m/%Y") in text
    client.post("/droits/espace/directives/", {"text": "Transmettre à ma fille."})
    first, second = PostMortemDirective.objects.order_by("pk")
    assert first.replaced_at is not None and second.replaced_at is None
    assert b"Transmettre" not in bytes(second.text_sealed)
    text = client.get(SPACE).content.decode()
    assert "Transmettre à ma fille." in text and "Effacer tout." not in text


def test_the_space_closes_by_itself_after_the_hour(claire) -> None:
    client = _signed_in(Client(), claire)
    assert client.session.get_expiry_age() == 3600
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        assert client.get(SPACE).status_code == 302


def test_signing_out_closes_the_space(claire) -> None:
    client = _signed_in(Client(), claire)
    assert client.post("/droits/espace/deconnexion/").status_code == 200
    assert client.get(SPACE).status_code == 302


def test_the_space_forms_need_their_csrf_token(claire) -> None:
    client = Client(enforce_csrf_checks=True)
    token = space.sign_in_token(claire.pk)
    assert client.post(f"/droits/espace/entrer/{token}").status_code == 403


def test_contact_changes_stay_sealed(claire) -> None:
    client = _signed_in(Client(), claire)
    client.post("/droits/espace/telephone/", {"phone": "06 12 34 56 78"})
    change = ContactChange.objects.get()
    assert b"612345678" not in bytes(change.new_value_sealed)


def test_a_request_from_the_address_awaiting_its_confirmation_is_listed(claire) -> None:
    Client().post(
        "/droits/demande/",
        {"types": ["objection"], "name": "Claire Martin", "email": ON_FILE},
    )
    run_portal_jobs()
    text = _signed_in(Client(), claire).get(SPACE).content.decode()
    case = Case.objects.get()
    assert case.number in text and "Opposition" in text
    assert "Confirmez la demande avec le lien envoyé à votre adresse." in text


def test_the_space_does_not_say_whether_another_address_named_is_on_file(claire, cli_actor) -> None:
    """Paul files two requests from an address Vigie does not know yet, naming « the
    address you hold »: Claire's, and one nobody holds. Once on file with that address,
    his space lists both alike: no « confirm with the link » for either (the link went
    to Claire, not to him)."""
    for named in (ON_FILE, "personne@nulle-part.example"):
        services.open_case(
            Actor("subject"),
            types=["access"],
            channel=Channel.PORTAL,
            requester=Requester(email="paul@ailleurs.example", on_file_email=named),
        )
    paul = create_person(
        cli_actor, email="paul@ailleurs.example", first_name="Paul", last_name="Durand",
        subject_types=["client_contact_B2B"],
    )  # fmt: skip
    text = _signed_in(Client(), paul).get(SPACE).content.decode()
    assert text.count("DDP-") == 2
    assert "Confirmez la demande avec le lien" not in text
    rows = re.findall(r"<tr>.*?</tr>", text, re.S)
    cells = [re.sub(r"DDP-\d{4}-\d{4}", "N", row) for row in rows if "DDP-" in row]
    assert cells[0] == cells[1]
