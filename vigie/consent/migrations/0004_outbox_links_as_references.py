"""Replace the working links stored in the outbox by references.

Messages queued before this release kept the full preference-centre link (valid 25
months, every purpose) or the double opt-in link in ``Message.context``: a bearer
credential at rest. They now keep the person's id or the pending event's id, and the
link is made when the e-mail is rendered (``consent.preference_links``,
``consent.services.confirmation_context``). Sent messages are rewritten too: their
stored link would still work.
"""

from __future__ import annotations

from django.core import signing
from django.db import migrations

CONFIRM_SALT = "vigie.consent.double-opt-in"  # consent.services.CONFIRM_SALT at this release


def _pending_id(url: str) -> int | None:
    token = url.rstrip("/").rsplit("/", 1)[-1]
    try:
        return int(signing.loads(token, salt=CONFIRM_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def links_to_references(apps, schema_editor) -> None:
    message_model = apps.get_model("mail", "Message")
    stored = message_model.objects.filter(
        template__in=["preferences_link", "newsletter_confirmation"]
    ).only("id", "template", "person_id", "context")
    for message in stored.iterator(chunk_size=500):
        context = dict(message.context or {})
        if message.template == "preferences_link" and "preferences_url" in context:
            context.pop("preferences_url")
            context["person"] = str(message.person_id)
        elif message.template == "newsletter_confirmation" and "confirm_url" in context:
            pending = _pending_id(str(context.pop("confirm_url")))
            if pending is not None:
                context["pending"] = pending
        else:
            continue
        message_model.objects.filter(pk=message.pk).update(context=context)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0003_purpose_offres"),
        ("mail", "0003_message_to_organisation_or_recipient"),
    ]

    operations = [migrations.RunPython(links_to_references, migrations.RunPython.noop)]
