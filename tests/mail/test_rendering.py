"""Templates: what R37 requires of marketing mail, no promotion in service mail (R44)."""

from __future__ import annotations

import uuid

import pytest

from vigie.audit.actor import Actor
from vigie.lib.tokens import unsubscribe_url
from vigie.mail.models import Kind
from vigie.mail.rendering import (
    RIGHT_TO_OBJECT,
    RenderError,
    TemplateRefused,
    policy_url,
    render,
    validate_marketing_template,
    validate_service_template,
)
from vigie.mail.services import queue_message

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_newsletter_carries_every_r37_element(language: str) -> None:
    validate_marketing_template("newsletter", (language,))
    link = unsubscribe_url(uuid.uuid4(), "newsletter")
    rendered = render("newsletter", language, kind=Kind.MARKETING, unsubscribe_url=link)
    for body in (rendered.text, rendered.html):
        # The sender's identity is the register's controller (R37).
        assert "SEMI INFORMATIQUE" in body
        assert "825 Rue André Ampère, 13290 Aix-en-Provence" in body
        assert link in body
        assert RIGHT_TO_OBJECT[language].replace("’", "") in body.replace("’", "")
        assert policy_url(language) in body
    assert f'<a href="{link}">' in rendered.html
    assert rendered.subject


def test_a_marketing_template_without_the_right_to_object_sentence_is_refused() -> None:
    with pytest.raises(TemplateRefused) as refused:
        validate_marketing_template("no_objection", ("fr",))
    assert refused.value.problems == [
        "fr text: separate right-to-object sentence",
        "fr html: separate right-to-object sentence",
    ]


def test_the_right_to_object_must_stand_apart_from_the_sales_pitch() -> None:
    with pytest.raises(TemplateRefused) as refused:
        validate_marketing_template("buried_objection", ("fr",))
    assert "fr text: separate right-to-object sentence" in refused.value.problems
    assert "fr html: separate right-to-object sentence" in refused.value.problems


def test_a_hidden_unsubscribe_link_does_not_count() -> None:
    with pytest.raises(TemplateRefused) as refused:
        validate_marketing_template("hidden_unsubscribe", ("fr",))
    assert refused.value.problems == ["fr html: unsubscribe link"]


def test_a_refused_marketing_template_cannot_be_queued(person, audience) -> None:
    with pytest.raises(TemplateRefused):
        queue_message(
            Actor.cli("test"), person, "no_objection", kind="marketing", purpose="newsletter"
        )
    assert person.mail_messages.count() == 0


def test_a_service_template_with_a_promotional_block_is_refused(person) -> None:
    with pytest.raises(TemplateRefused) as refused:
        validate_service_template("promo_notice", ("fr",))
    assert refused.value.problems == ["fr html: promotional block"]
    with pytest.raises(TemplateRefused):
        queue_message(Actor.cli("test"), person, "promo_notice", kind="service")
    validate_service_template("policy_change")


def test_a_stored_context_cannot_replace_the_legal_links() -> None:
    link = unsubscribe_url(uuid.uuid4(), "newsletter")
    rendered = render(
        "newsletter",
        "fr",
        kind=Kind.MARKETING,
        unsubscribe_url=link,
        refs={"unsubscribe_url": "https://ailleurs.example/", "sender_name": "Quelqu'un"},
    )
    assert "ailleurs.example" not in rendered.html
    assert "Quelqu" not in rendered.html
    assert link in rendered.html


def test_a_marketing_message_cannot_be_rendered_without_its_unsubscribe_link() -> None:
    with pytest.raises(RenderError, match="unsubscribe link"):
        render("newsletter", "fr", kind=Kind.MARKETING)


def test_the_policy_change_notice_gives_the_summary_date_and_both_versions(published) -> None:
    first = published("Première version")
    second = published("Nouveau destinataire : notre hébergeur")
    rendered = render(
        "policy_change",
        "fr",
        kind=Kind.SERVICE,
        first_name="Jeanne",
        refs={"version": second.number, "previous": first.number},
    )
    assert "Bonjour Jeanne" in rendered.text
    assert "Nouveau destinataire : notre hébergeur" in rendered.text
    assert f"/politique-de-confidentialite/v{second.number}/" in rendered.text
    assert f"/politique-de-confidentialite/v{first.number}/" in rendered.text
    assert f"{second.effective_at.astimezone().year}" in rendered.text
    # R44: no unsubscribe link, no offer: this is information, not prospecting.
    assert "/u/" not in rendered.text
    assert "offre" not in rendered.subject.lower()
    english = render(
        "policy_change",
        "en",
        kind=Kind.SERVICE,
        refs={"version": second.number},
    )
    assert "EN Nouveau destinataire" in english.text
    assert f"/en/privacy-policy/v{second.number}/" in english.text


def test_nothing_is_rendered_without_a_register_naming_the_sender(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vigie.lib import controller

    monkeypatch.setattr(controller, "_provider", lambda: None)
    with pytest.raises(RenderError, match="NO_CONTROLLER"):
        render("policy_change", "fr", kind=Kind.SERVICE, refs={"version": 1})


def test_a_notice_pointing_at_an_unpublished_version_cannot_be_rendered(db) -> None:
    for refs in ({"version": 99}, {"version": "v2"}, {}):
        with pytest.raises(RenderError):
            render("policy_change", "fr", kind=Kind.SERVICE, refs=refs)
