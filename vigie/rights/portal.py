"""The public request form of the portal, answered at once and carried out by a job.

The page must not tell whether the address is on file (R48: nothing confirmed before
identity is verified), neither by its words nor by its timing: opening a case for a
known address sends a confirmation link, for an unknown one a neutral reply, and the
two take different times. So the page does the same work whatever the address, as
the newsletter sign-up does (``consent.signups``): it seals the request in a deferred
look-up (``people.lookups.defer_lookup``: nothing personal goes into the job's
arguments, which stay in the job table) and schedules ``complete_portal_request``
with that row's random id (``jobs.services.schedule_call``: a worker dying mid-job
does not lose the request; the sweep enqueues it again, and the sealed row goes with
the first run's work, so it never opens two cases).

The client IP is counted around the view (``accounts.ratelimit.rate_limited``); the
address's own limit is counted by the job, which does nothing over it: counting it in
the page would make an over-limit answer faster, telling anyone that someone asked
for that address within the hour.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task

from vigie.accounts.ratelimit import Verdict, address_verdict
from vigie.audit.actor import Actor
from vigie.jobs.services import schedule_call
from vigie.people.lookups import defer_lookup, take_payload
from vigie.people.services import email_index
from vigie.rights import services
from vigie.rights.models import Channel
from vigie.rights.sealing import Requester

#: The request form's name in the rate-limit counters.
FORM = "rights-request"

log = logging.getLogger("vigie.rights")


def request_case(
    *,
    types: list[str],
    requester: Requester,
    description: str,
    ip: str | None,
    language: str,
) -> None:
    """Hand a portal request to the worker; the same queries whoever the address is."""
    payload = {
        "types": list(types),
        "requester": asdict(requester),
        "description": description,
        "ip": ip,
        "received_at": timezone.now().isoformat(),
    }
    with transaction.atomic():
        lookup = defer_lookup(requester.email, payload)
        schedule_call(
            complete_portal_request,
            timezone.now(),
            key=f"rights-request:{lookup}",
            args=[str(lookup), "en" if language == "en" else "fr"],
        )


@task()
def complete_portal_request(lookup_id: str, language: str) -> bool:
    """Open the case of a deferred portal request (R46): the acknowledgement with the
    confirmation link, or the neutral reply, goes out from here (``services.open_case``).
    False when there was nothing to do (already done, over the address's limit, or a
    request the rules refuse)."""
    from datetime import datetime

    with translation.override(language), transaction.atomic():
        payload = take_payload(lookup_id)
        if payload is None:
            return False
        requester = Requester(**payload["requester"])
        # Asked too often for this address this hour, or naming too often the same
        # « address you hold » (its owner would get a link each time): nothing is done.
        addresses = {requester.email, requester.on_file_email} - {""}
        verdicts = [address_verdict(FORM, email_index(a)) for a in sorted(addresses)]
        if any(v is not Verdict.ALLOWED for v in verdicts):
            return False
        try:
            services.open_case(
                Actor("subject", "", payload["ip"]),
                types=payload["types"],
                channel=Channel.PORTAL,
                requester=requester,
                description=payload["description"],
                # R46: the request reached the company when the page accepted it.
                received_at=datetime.fromisoformat(payload["received_at"]),
                language=language,
            )
        except services.RightsError as error:
            # The form checks the same bounds; a request refused here is logged by kind only.
            log.info("portal request %s not recorded: %s", lookup_id, type(error).__name__)
            return False
    return True
