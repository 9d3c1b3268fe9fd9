"""The exact wording shown to a person when they give consent (R34).

The texts live here in both languages rather than in the translation catalogue:
they are legal statements, stored word for word in each consent event as proof,
and must not change because a translation was edited.
"""

from __future__ import annotations

from vigie.lib.purposes import Purpose

CONSENT_WORDING: dict[str, dict[str, str]] = {
    Purpose.NEWSLETTER: {
        "fr": (
            "J'accepte de recevoir par e-mail la lettre d'information de SEMI INFORMATIQUE. "
            "Je peux me désinscrire à tout moment par le lien présent dans chaque e-mail."
        ),
        "en": (
            "I agree to receive the SEMI INFORMATIQUE newsletter by e-mail. "
            "I can unsubscribe at any time through the link in every e-mail."
        ),
    },
    Purpose.OFFRES_SEMI: {
        "fr": (
            "J'accepte de recevoir par e-mail les offres commerciales de SEMI INFORMATIQUE. "
            "Je peux me désinscrire à tout moment par le lien présent dans chaque e-mail."
        ),
        "en": (
            "I agree to receive SEMI INFORMATIQUE's commercial offers by e-mail. "
            "I can unsubscribe at any time through the link in every e-mail."
        ),
    },
    Purpose.OFFRES_PARTENAIRES: {
        "fr": (
            "J'accepte de recevoir par e-mail, de la part de SEMI INFORMATIQUE, les offres "
            "de ses partenaires. Je peux me désinscrire à tout moment par le lien présent "
            "dans chaque e-mail."
        ),
        "en": (
            "I agree to receive, from SEMI INFORMATIQUE, its partners' offers by e-mail. "
            "I can unsubscribe at any time through the link in every e-mail."
        ),
    },
}


def consent_wording(purpose: str, lang: str) -> str:
    """The sentence next to the (unticked) checkbox, in ``lang`` (French by default)."""
    texts = CONSENT_WORDING[purpose]
    return texts.get(lang, texts["fr"])
