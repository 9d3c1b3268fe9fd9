"""« My preferences » from the portal: a signed link sent by e-mail, never a lookup answer.

Anyone may type an address; the page answers the same words whether the address
is known or not, and does no look-up itself: it hands the address's blind index
(not the address: task arguments are stored in the database) to a background
job, which finds the people holding that address and queues each a service
e-mail with their signed preference-centre link (``lib.tokens``). So neither the
answer nor its timing tells whether someone is on file (no enumeration). Requests
are rate-limited per address and per client IP through the cache, so the form
cannot be used to flood a mailbox.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django_tasks import task

from vigie.audit.actor import Actor
from vigie.lib import tokens
from vigie.lib.purposes import ALL_PURPOSES
from vigie.people.services import email_index, find_all_by_index

#: At most this many links per address, and requests per client IP, per window.
PER_ADDRESS = 3
PER_IP = 20
WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class LinkRequest:
    accepted: bool  # False: rate-limited, nothing was queued


def _within_limit(key: str, limit: int) -> bool:
    # add() sets the counter only if absent, so the window starts at the first request.
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, WINDOW_SECONDS)
        return True


def request_preferences_link(address: str, *, ip: str | None, language: str) -> LinkRequest:
    """Accept a request for the preferences link, or refuse it for the rate limit.

    The same happens for a known and an unknown address: a job is queued with the
    address's blind index; the job does the look-up.
    """
    index = email_index(address)
    if ip and not _within_limit(f"vigie:preferences-link:ip:{ip}", PER_IP):
        return LinkRequest(accepted=False)
    if not _within_limit(f"vigie:preferences-link:address:{index}", PER_ADDRESS):
        return LinkRequest(accepted=False)
    send_preferences_link.enqueue(index, "en" if language == "en" else "fr")
    return LinkRequest(accepted=True)


def preferences_url(person_id: object) -> str:
    token = tokens.make_token(person_id, ALL_PURPOSES)  # type: ignore[arg-type]
    return settings.SITE_URL.rstrip("/") + reverse("consent:preferences", args=[token])


@task()
def send_preferences_link(index: str, language: str) -> int:
    """Queue the preferences link to every live person holding the address; return how
    many (0 for an unknown address: nothing is sent, nothing is recorded)."""
    from vigie.mail.services import queue_message

    people = find_all_by_index(index)
    for person in people:
        queue_message(
            Actor.system("preferences link"),
            person,
            "preferences_link",
            kind="service",
            context={"preferences_url": preferences_url(person.pk)},
            language=language,
        )
    return len(people)
