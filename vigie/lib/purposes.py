"""The marketing purposes, shared by consent (which decides) and mail (which labels
its messages): one module low in the layers, so that mail needs no domain app.

The keys are stored in consent proof, subscriptions, outbox rows and signed links
already sent; a key never changes, only its label.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """The three marketing purposes of the policy (R34, R44)."""

    NEWSLETTER = "newsletter", _("Newsletter")
    OFFRES_SEMI = "offres_semi", _("SEMI INFORMATIQUE offers")
    OFFRES_PARTENAIRES = "offres_partenaires", _("Partner offers")


#: The purpose of a global objection (R42) and of a suppression covering every list.
ALL_PURPOSES = "all"
PURPOSE_OR_ALL = [*Purpose.choices, (ALL_PURPOSES, _("All marketing"))]
