"""Render mail templates, and refuse the ones the law does not allow to be sent.

A ``marketing`` template is refused unless its rendered output carries the sender's
identity and postal address (the controller of the loaded register, see
``vigie.lib.controller``), a visible unsubscribe link, a separate sentence on the
right to object and a link to the privacy policy (R37: CPCE L34-5, GDPR Art. 21(4)).
The check runs on the rendered text and HTML, so it holds whatever the template
does with includes and conditions; it runs when a message is queued and again on
the very message about to be sent. A ``service`` template may carry no promotional
block (R44).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import reverse
from django.utils import translation

from vigie.lib.controller import Controller, current_controller
from vigie.mail.addressing import context_builder
from vigie.mail.html_text import read_html
from vigie.mail.models import Kind, Purpose

LANGUAGES = ("fr", "en")

#: Art. 21(4): the right to object is brought to the person's attention "clearly and
#: separately from any other information". Templates print it as its own paragraph.
RIGHT_TO_OBJECT = {
    "fr": "Vous pouvez à tout moment vous opposer, gratuitement et sans avoir à vous "
    "justifier, à l’utilisation de vos données à des fins de prospection commerciale "
    "(article 21 du RGPD).",
    "en": "You may object at any time, free of charge and without giving any reason, to "
    "the use of your data for direct marketing (Article 21 GDPR).",
}

#: The kind of each template Vigie ships; ``queue_message`` refuses a mismatch.
CATALOGUE: dict[str, Kind] = {
    "policy_change": Kind.SERVICE,
    "art14_notice": Kind.SERVICE,
    "newsletter_confirmation": Kind.SERVICE,
    "preferences_link": Kind.SERVICE,
    "role_grant_request": Kind.SERVICE,
    "newsletter": Kind.MARKETING,
    # The letters of a rights case (vigie.rights.letters).
    "rights_acknowledgement": Kind.SERVICE,
    "rights_identity_challenge": Kind.SERVICE,
    "rights_neutral_reply": Kind.SERVICE,
    "rights_extension_notice": Kind.SERVICE,
    "rights_identification_impossible": Kind.SERVICE,
    "rights_refusal": Kind.SERVICE,
    "rights_partial_refusal": Kind.SERVICE,
    "rights_answer_cover": Kind.SERVICE,
    "rights_erasure_done": Kind.SERVICE,
    "rights_heirs_rights": Kind.SERVICE,
    "rights_erasure_service_stop": Kind.SERVICE,
    "rights_identity_document_request": Kind.SERVICE,
    # To a recipient's privacy contact: data it received was rectified, erased or
    # restricted (Art. 19, R57; vigie.rights.art19).
    "rights_art19_notice": Kind.SERVICE,
    # To the person: who received their data (Art. 19, last sentence).
    "rights_recipients_list": Kind.SERVICE,
    "rights_restriction_lifting": Kind.SERVICE,
    "rights_objection_decision": Kind.SERVICE,
    "rights_access_ready": Kind.SERVICE,
    "rights_rectification_proof": Kind.SERVICE,
    "rights_rectification_done": Kind.SERVICE,
    # To the handler and the privacy leads: a rights request nearly due or late (R47).
    "staff_deadline_alert": Kind.SERVICE,
    # The personal space (vigie.rights.space): the sign-in link, a new address to confirm.
    "rights_space_link": Kind.SERVICE,
    "rights_email_change": Kind.SERVICE,
    # Portability (R58): the one-time download link to a receiving controller.
    "rights_portability_link": Kind.SERVICE,
}

#: Rights letters: the mail about the person's rights over their data (information
#: notices, answers to requests). Only these carry the privacy address as Reply-To;
#: replies to marketing and to other service mail go to their own sender, never to the
#: privacy mailbox (``compose.senders``).
RIGHTS_LETTERS: frozenset[str] = frozenset(
    {"art14_notice", "policy_change", *(name for name in CATALOGUE if name.startswith("rights_"))}
)

# Set by ``render`` itself: a stored context can never supply or replace them.
_RESERVED = frozenset(
    {
        "unsubscribe_url",
        "right_to_object",
        "policy_url",
        "sender_name",
        "postal_address",
        "privacy_contact",
        "controller",
        "recipient_name",
    }
)
_NAME = re.compile(r"^[a-z0-9_]{1,80}$")
_PROMO = re.compile(r"{%\s*block\s+promo\b|class=\"[^\"]*\bpromo\b|data-promo", re.IGNORECASE)


class RenderError(ValueError):
    """The message cannot be rendered (unknown template, missing referenced object)."""


class TemplateRefused(ValueError):
    """The template lacks what the law requires of its kind; ``problems`` says what."""

    def __init__(self, name: str, problems: list[str]) -> None:
        super().__init__(f"mail template {name!r} refused: {'; '.join(problems)}")
        self.name = name
        self.problems = problems


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def policy_url(language: str) -> str:
    name = "policy:current-en" if language == "en" else "policy:current"
    return settings.SITE_URL.rstrip("/") + reverse(name)


def controller_or_error() -> Controller:
    """The sender's identity; no register, no mail (never a made-up sender)."""
    controller = current_controller()
    if controller is None or not controller.name or not controller.address:
        raise RenderError("NO_CONTROLLER: no register is loaded, so the sender is unknown")
    return controller


def _pick(name: str, language: str, suffix: str) -> Any:
    if not _NAME.match(name):
        raise RenderError(f"bad template name {name!r}")
    try:
        return select_template([f"mail/{name}.{language}.{suffix}", f"mail/{name}.fr.{suffix}"])
    except TemplateDoesNotExist:
        raise RenderError(f"no mail template {name!r} ({suffix})") from None


def render(
    name: str,
    language: str,
    *,
    kind: str,
    first_name: str = "",
    last_name: str = "",
    recipient_name: str = "",
    refs: dict[str, Any] | None = None,
    unsubscribe_url: str = "",
    controller: Controller | None = None,
) -> Rendered:
    """Render subject, text and HTML. A marketing message needs its unsubscribe link.

    The sender's identity is the register's controller (``controller`` when the
    caller already has it); with no register loaded nothing is rendered.
    """
    if language not in LANGUAGES:
        raise RenderError(f"unsupported language {language!r}")
    controller = controller or controller_or_error()
    refs = {k: v for k, v in (refs or {}).items() if k not in _RESERVED}
    with translation.override(language):
        builder = context_builder(name)
        try:
            looked_up = builder(refs, language) if builder else {}
        except RenderError:
            raise
        except (TypeError, ValueError, LookupError) as error:
            raise RenderError(f"{name}: bad reference ({error})") from None
        context: dict[str, Any] = {**refs, **looked_up}
        # Set last: the legal links and identity always come from here.
        context.update(
            controller=controller,
            sender_name=controller.name,
            postal_address=controller.address,
            privacy_contact=controller.privacy_contact,
            recipient_name=recipient_name,
            policy_url=policy_url(language),
            first_name=first_name,
            last_name=last_name,
            language=language,
        )
        if kind == Kind.MARKETING:
            if not unsubscribe_url:
                raise RenderError("a marketing message needs its unsubscribe link")
            context["unsubscribe_url"] = unsubscribe_url
            context["right_to_object"] = RIGHT_TO_OBJECT[language]
        subject = _pick(name, language, "subject.txt").render(context)
        text = _pick(name, language, "txt").render(context)
        html = _pick(name, language, "html").render(context)
    return Rendered(" ".join(subject.split()), text.strip() + "\n", html)


def _normal(text: str) -> str:
    return " ".join(text.split())


def marketing_problems(
    rendered: Rendered,
    *,
    unsubscribe_url: str,
    policy_url: str,
    language: str,
    controller: Controller | None = None,
) -> list[str]:
    """What R37 requires and the rendered message lacks (empty when it may be sent)."""
    controller = controller or controller_or_error()
    objection = _normal(RIGHT_TO_OBJECT[language])
    problems = [] if rendered.subject else ["subject"]
    text = _normal(rendered.text)
    html = read_html(rendered.html)
    parts = (
        # In the text part a bare URL is the link, and paragraphs are separated by a
        # blank line; in HTML a link is a visible <a href>, a paragraph a block element.
        (
            "text",
            text,
            {_normal(p) for p in re.split(r"\n\s*\n", rendered.text)},
            {url for url in (unsubscribe_url, policy_url) if url in text},
        ),
        ("html", _normal(html.text), set(html.blocks), set(html.visible_links)),
    )
    for part, body, paragraphs, links in parts:
        if _normal(controller.name) not in body:
            problems.append(f"{part}: sender identity")
        if not all(_normal(line) in body for line in controller.postal_lines):
            problems.append(f"{part}: postal address")
        if unsubscribe_url not in links:
            problems.append(f"{part}: unsubscribe link")
        # Art. 21(4): "clearly and separately from any other information".
        if objection not in paragraphs:
            problems.append(f"{part}: separate right-to-object sentence")
        if policy_url not in links:
            problems.append(f"{part}: policy link")
    return problems


def validate_marketing_template(name: str, languages: tuple[str, ...] = LANGUAGES) -> None:
    """Refuse a marketing template that would not carry every R37 element."""
    from vigie.lib.tokens import unsubscribe_url

    link = unsubscribe_url(uuid.uuid4(), Purpose.NEWSLETTER)
    controller = controller_or_error()
    problems: list[str] = []
    for language in languages:
        rendered = render(
            name,
            language,
            kind=Kind.MARKETING,
            first_name="Camille",
            last_name="Martin",
            unsubscribe_url=link,
            controller=controller,
        )
        found = marketing_problems(
            rendered,
            unsubscribe_url=link,
            policy_url=policy_url(language),
            language=language,
            controller=controller,
        )
        problems += [f"{language} {item}" for item in found]
    if problems:
        raise TemplateRefused(name, problems)


def validate_service_template(name: str, languages: tuple[str, ...] = LANGUAGES) -> None:
    """Refuse a service template that holds a promotional block (R44)."""
    problems = []
    for language in languages:
        for suffix in ("subject.txt", "txt", "html"):
            source = _pick(name, language, suffix).template.source
            if _PROMO.search(source):
                problems.append(f"{language} {suffix}: promotional block")
    if problems:
        raise TemplateRefused(name, problems)
