"""The exact wording shown to a person when they give consent (R34).

The texts live here in both languages rather than in the translation catalogue:
they are legal statements, stored word for word in each consent event as proof,
and must not change because a translation was edited. They name the controller of
the loaded register (Art. 7(2), Art. 13(1)(a): who will write to the person); the
name at the time of the consent is what the stored proof keeps.
"""

from __future__ import annotations

from vigie.lib.controller import current_controller
from vigie.lib.purposes import Purpose

CONSENT_WORDING: dict[str, dict[str, str]] = {
    Purpose.NEWSLETTER: {
        "fr": (
            "J'accepte de recevoir par e-mail la lettre d'information envoyée par {company}. "
            "Je peux me désinscrire à tout moment par le lien présent dans chaque e-mail."
        ),
        "en": (
            "I agree to receive {company}'s newsletter by e-mail. "
            "I can unsubscribe at any time through the link in every e-mail."
        ),
    },
    Purpose.OFFRES: {
        "fr": (
            "J'accepte de recevoir par e-mail les offres commerciales envoyées par {company}. "
            "Je peux me désinscrire à tout moment par le lien présent dans chaque e-mail."
        ),
        "en": (
            "I agree to receive {company}'s commercial offers by e-mail. "
            "I can unsubscribe at any time through the link in every e-mail."
        ),
    },
    Purpose.OFFRES_PARTENAIRES: {
        "fr": (
            "J'accepte que {company} m'envoie par e-mail les offres de ses partenaires. "
            "Je peux me désinscrire à tout moment par le lien présent dans chaque e-mail."
        ),
        "en": (
            "I agree to receive, from {company}, its partners' offers by e-mail. "
            "I can unsubscribe at any time through the link in every e-mail."
        ),
    },
}

#: Only when no register is loaded yet: a neutral name rather than a made-up one.
_NO_CONTROLLER = {"fr": "l'entreprise", "en": "the company"}
# The French sentences are built so that any name fits ("envoyée par X", never "de X",
# which would need an elision before a vowel).


#: The double opt-in confirmation e-mail (R43) says which purpose the person asked
#: for: its subject, and the sentence recalling the request (issue 10: opting in to
#: the offers must not send a confirmation that speaks of the newsletter).
CONFIRMATION_WORDING: dict[str, dict[str, dict[str, str]]] = {
    Purpose.NEWSLETTER: {
        "fr": {
            "subject": "Confirmez votre inscription à la lettre d’information — {company}",
            "request": "Vous avez demandé à recevoir par e-mail la lettre d’information "
            "envoyée par {company}.",
        },
        "en": {
            "subject": "Confirm your subscription to {company}’s newsletter",
            "request": "You asked to receive {company}’s newsletter by e-mail.",
        },
    },
    Purpose.OFFRES: {
        "fr": {
            "subject": "Confirmez votre demande : les offres commerciales — {company}",
            "request": "Vous avez demandé à recevoir par e-mail les offres commerciales "
            "envoyées par {company}.",
        },
        "en": {
            "subject": "Confirm your request: {company}’s commercial offers",
            "request": "You asked to receive {company}’s commercial offers by e-mail.",
        },
    },
    Purpose.OFFRES_PARTENAIRES: {
        "fr": {
            "subject": "Confirmez votre demande : les offres de ses partenaires — {company}",
            "request": "Vous avez demandé que {company} vous envoie par e-mail les offres "
            "de ses partenaires.",
        },
        "en": {
            "subject": "Confirm your request: partners’ offers from {company}",
            "request": "You asked {company} to send you its partners’ offers by e-mail.",
        },
    },
}


def _company(lang: str) -> str:
    controller = current_controller()
    return controller.name if controller and controller.name else _NO_CONTROLLER[lang]


def consent_wording(purpose: str, lang: str) -> str:
    """The sentence next to the (unticked) checkbox, in ``lang`` (French by default)."""
    texts = CONSENT_WORDING[purpose]
    lang = lang if lang in texts else "fr"
    return texts[lang].format(company=_company(lang))


def confirmation_wording(purpose: str, lang: str) -> dict[str, str]:
    """The subject and request sentence of ``purpose``'s confirmation e-mail."""
    texts = CONFIRMATION_WORDING[purpose]
    lang = lang if lang in texts else "fr"
    company = _company(lang)
    return {key: value.format(company=company) for key, value in texts[lang].items()}
