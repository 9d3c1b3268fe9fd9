"""« My preferences » from the portal: a signed link sent by e-mail, never a lookup answer.

Anyone may type an address; the page answers the same words whether the address
is known or not, and does no look-up itself: it stores the address's blind index
as a short-lived look-up (``people.lookups``) and queues a job with that row's random
id only (job arguments stay in the job table after the job has run). The job finds
the people holding the address, deletes the look-up and queues each a service e-mail
whose preference-centre link (``lib.tokens``) is made when the e-mail is rendered:
the outbox stores the person's id, never a working link. Neither the answer nor its
timing tells whether someone is on file (no enumeration).

Requests are rate-limited per client IP (``accounts.ratelimit.rate_limited`` around
the view) and per address (here), counted in the database so every web worker shares
the count. Over the per-address
limit the page answers exactly as if it had accepted: anyone can use up the 3
requests of someone else's address for an hour, and a different answer would tell
them that the person asked for a link themselves. The cost of that choice is that
the person gets no link for the rest of the hour (docs/consent.md).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django_tasks import task

from vigie.accounts.ratelimit import Verdict, address_verdict
from vigie.audit.actor import Actor
from vigie.lib import tokens
from vigie.lib.purposes import ALL_PURPOSES
from vigie.people.lookups import defer_lookup, take_lookup
from vigie.people.services import email_index

#: The public form's name in the rate-limit counters.
FORM = "preferences-link"


def request_preferences_link(address: str, *, language: str) -> None:
    """Accept a request for the preferences link (the client IP was counted around the
    view). The same happens for a known and an unknown address: a look-up is stored
    and a job queued; the job does the look-up. Over the address's limit nothing is
    queued, and the page answers the same."""
    if address_verdict(FORM, email_index(address)) is Verdict.ALLOWED:
        with transaction.atomic():
            lookup = defer_lookup(address)
            send_preferences_link.enqueue(str(lookup), "en" if language == "en" else "fr")


def preferences_url(person_id: uuid.UUID) -> str:
    token = tokens.make_token(person_id, ALL_PURPOSES)
    return settings.SITE_URL.rstrip("/") + reverse("consent:preferences", args=[token])


def preferences_link_context(refs: dict[str, Any], language: str) -> dict[str, Any]:
    """The ``preferences_link`` e-mail's link, made at render time from the stored
    person id (registered with mail by ``ConsentConfig.ready``)."""
    return {"preferences_url": preferences_url(uuid.UUID(str(refs["person"])))}


@task()
def send_preferences_link(lookup_id: str, language: str) -> int:
    """Queue the preferences link to every live person holding the looked-up address;
    return how many (0 for an unknown address: nothing is sent, nothing is recorded)."""
    from vigie.mail.services import queue_message

    with transaction.atomic():
        people = take_lookup(lookup_id)
        for person in people:
            queue_message(
                Actor.system("preferences link"),
                person,
                "preferences_link",
                kind="service",
                # A reference only: a working link would be a bearer credential at rest.
                context={"person": str(person.pk)},
                language=language,
            )
    return len(people)
