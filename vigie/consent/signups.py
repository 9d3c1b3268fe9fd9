"""The public newsletter sign-up, answered at once and carried out by a job.

The page must not tell who is on file, neither by its words nor by its timing: a
look-up, a person's creation or an already-subscribed short-cut would each take a
different time. So the request does the same work whatever the address: it stores
the address's blind index with the sign-up sealed
(``people.lookups.defer_lookup``: the address and first name never go into the job's
arguments, which stay in the job table) and queues ``complete_signup`` with that
row's random id, as a scheduled call (``jobs.services.schedule_call``) so that a
worker dying mid-job does not lose it. The job finds or creates the person, starts the
double opt-in and queues the confirmation e-mail (``services.sign_up``).

The client IP is counted around the view (``rate_limited``); the address's limit
(``accounts.ratelimit``) is counted by the job, which does nothing over it.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task

from vigie.accounts.ratelimit import Verdict, address_verdict
from vigie.consent import services
from vigie.jobs.services import schedule_call
from vigie.people.lookups import defer_lookup, take_payload
from vigie.people.services import InvalidPerson, email_index

#: The sign-up form's name in the rate-limit counters.
FORM = "newsletter"

log = logging.getLogger("vigie.consent")


def request_signup(
    *,
    email: str,
    first_name: str,
    purpose: str,
    wording: str,
    channel: str,
    ip: str | None,
    language: str,
) -> None:
    """Hand a sign-up to the worker; the same queries whoever the address belongs to.

    The address's rate limit is counted by the job, not here: over the limit the
    request would skip the sealing and the job and answer in half the time, telling
    anyone that the address was signed up within the hour."""
    payload = {
        "first_name": first_name,
        "purpose": purpose,
        "wording": wording,
        "channel": channel,
        "ip": ip,
    }
    with transaction.atomic():
        lookup = defer_lookup(email, payload)
        # A scheduled call, not a bare job: a worker killed while it runs the sign-up
        # leaves the job "running" for ever, and the sign-up would be lost; the call's
        # row is found by the sweep every worker runs and enqueued again. The job is
        # safe to run twice (the sealed row goes with the first run's work).
        schedule_call(
            complete_signup,
            timezone.now(),
            key=f"newsletter-signup:{lookup}",
            args=[str(lookup), "en" if language == "en" else "fr"],
        )


@task()
def complete_signup(lookup_id: str, language: str) -> bool:
    """Carry out a deferred sign-up; False when there was nothing to do (already
    taken, the address erased meanwhile, or an address that cannot be recorded)."""
    with translation.override(language), transaction.atomic():
        payload = take_payload(lookup_id)
        if payload is None:
            return False
        if address_verdict(FORM, email_index(payload["email"])) is not Verdict.ALLOWED:
            # Asked too often for this address this hour: the row goes, nothing is done.
            return False
        try:
            services.sign_up(
                services.subject_actor(payload["ip"]),
                email=payload["email"],
                first_name=payload["first_name"],
                purpose=payload["purpose"],
                wording=payload["wording"],
                channel=payload["channel"],
                ip=payload["ip"],
            )
        except (InvalidPerson, services.ConsentError) as error:
            # The look-up row is deleted all the same: nothing of the address stays.
            log.info("deferred sign-up %s not recorded: %s", lookup_id, type(error).__name__)
            return False
    return True
