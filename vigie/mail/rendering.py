"""Render mail templates, and refuse the ones the law does not allow to be sent.

A ``marketing`` template is refused unless its rendered output carries the sender's
identity and postal address, a visible unsubscribe link, a separate sentence on the
right to object and a link to the privacy policy (R37: CPCE L34-5, GDPR Art. 21(4)).
The check runs on the rendered text and HTML, so it holds whatever the template
does with includes and conditions; it runs when a message is queued and again on
the very message about to be sent. A ``service`` template may carry no promotional
block (R44).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import reverse
from django.utils import translation

from vigie.mail.html_text import read_html
from vigie.mail.models import Kind, Purpose

SENDER_NAME = "SEMI INFORMATIQUE"
STREET = "825 Rue André Ampère"
TOWN = "13290 Aix-en-Provence"
POSTAL_ADDRESS = f"{STREET}, {TOWN}"
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
    "newsletter": Kind.MARKETING,
}

# Set by ``render`` itself: a stored context can never supply or replace them.
_RESERVED = frozenset({"unsubscribe_url", "right_to_object", "policy_url", "sender_name"})
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


def _policy_version_url(number: int, language: str) -> str:
    name = "policy:version-en" if language == "en" else "policy:version"
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[number])


def _policy_change(refs: dict[str, Any], language: str) -> dict[str, Any]:
    """R76: the summary of changes, the effective date, links to both versions."""
    from vigie.policy.services import published_version

    version = published_version(int(refs.get("version", 0)))
    if version is None:
        raise RenderError(f"policy version {refs.get('version')!r} is not published")
    previous = refs.get("previous")
    return {
        "version_number": version.number,
        "change_summary": version.change_summary(language),
        "effective_at": version.effective_at,
        "version_url": _policy_version_url(version.number, language),
        "previous_url": _policy_version_url(int(previous), language) if previous else "",
    }


#: Objects a template refers to by id are looked up here, at render time, so the
#: outbox only stores references.
CONTEXT_BUILDERS: dict[str, Callable[[dict[str, Any], str], dict[str, Any]]] = {
    "policy_change": _policy_change,
}


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
    refs: dict[str, Any] | None = None,
    unsubscribe_url: str = "",
) -> Rendered:
    """Render subject, text and HTML. A marketing message needs its unsubscribe link."""
    if language not in LANGUAGES:
        raise RenderError(f"unsupported language {language!r}")
    refs = {k: v for k, v in (refs or {}).items() if k not in _RESERVED}
    with translation.override(language):
        builder = CONTEXT_BUILDERS.get(name)
        try:
            looked_up = builder(refs, language) if builder else {}
        except RenderError:
            raise
        except (TypeError, ValueError, LookupError) as error:
            raise RenderError(f"{name}: bad reference ({error})") from None
        context: dict[str, Any] = {**refs, **looked_up}
        # Set last: the legal links and identity always come from here.
        context.update(
            sender_name=SENDER_NAME,
            postal_address=POSTAL_ADDRESS,
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
    rendered: Rendered, *, unsubscribe_url: str, policy_url: str, language: str
) -> list[str]:
    """What R37 requires and the rendered message lacks (empty when it may be sent)."""
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
        if SENDER_NAME not in body:
            problems.append(f"{part}: sender identity")
        if STREET not in body or TOWN not in body:
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
    problems: list[str] = []
    for language in languages:
        rendered = render(
            name,
            language,
            kind=Kind.MARKETING,
            first_name="Camille",
            last_name="Martin",
            unsubscribe_url=link,
        )
        found = marketing_problems(
            rendered,
            unsubscribe_url=link,
            policy_url=policy_url(language),
            language=language,
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
