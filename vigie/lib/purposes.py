"""The marketing purposes, shared by consent (which decides) and mail (which labels
its messages): one module low in the layers, so that mail needs no domain app.

The keys are stored in consent proof, subscriptions, suppression entries, segments,
outbox rows and signed links already sent. A key changes only with a data migration
of every stored row and an entry in ``RENAMED``, so that a link sent before the
change (valid 25 months) is still read with the new key. Labels may change freely.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """The three marketing purposes of the policy (R34, R44)."""

    NEWSLETTER = "newsletter", _("Newsletter")
    #: The controller's own offers (the only purpose a soft opt-in covers, R35).
    OFFRES = "offres", _("Our offers")
    OFFRES_PARTENAIRES = "offres_partenaires", _("Partner offers")


#: The purpose of a global objection (R42) and of a suppression covering every list.
ALL_PURPOSES = "all"
PURPOSE_OR_ALL = [*Purpose.choices, (ALL_PURPOSES, _("All marketing"))]

#: Former keys → current keys. ``offres_semi`` named one company (issue 9: Vigie runs
#: for any company); stored rows were migrated, links already sent still carry it.
RENAMED: dict[str, str] = {"offres_semi": Purpose.OFFRES}


def current_purpose(key: str) -> str:
    """The current key for ``key`` (a former key is read as its successor)."""
    return RENAMED.get(key, key)
