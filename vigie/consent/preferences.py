"""The preference centre behind the signed link of every e-mail (Art. 7(2), 21; R44).

One switch per purpose and "no commercial e-mail at all". Switching a purpose off
withdraws at once; switching one on starts a double opt-in, because only the
person's confirmed act may re-enable marketing (R43).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vigie.consent import services
from vigie.consent.audience import check_audience
from vigie.consent.models import Method, Status
from vigie.consent.services import (
    object_to_marketing,
    start_double_opt_in,
    subject_actor,
    subscription_states,
    withdraw,
)
from vigie.consent.wording import consent_wording
from vigie.lib.purposes import Purpose
from vigie.people.models import Person
from vigie.people.services import PersonUnavailable, open_person

ON, PENDING, OFF = "on", "pending", "off"


def preference_state(person: Person) -> dict[str, str]:
    """For each purpose: "on" (the person receives it), "pending" (awaiting confirmation)
    or "off". A business contact prospected on an opt-out basis (R36) is "on" too."""
    states = subscription_states(person)
    try:
        address = open_person(person).email
    except PersonUnavailable:
        address = ""
    shown: dict[str, str] = {}
    for purpose in Purpose.values:
        sub = states.get(purpose)
        if sub is not None and sub.status == Status.SUBSCRIBED:
            shown[purpose] = ON
        elif sub is not None and sub.status == Status.PENDING:
            shown[purpose] = PENDING
        elif (
            (sub is None or sub.status == Status.EXPIRED)
            and address
            and check_audience(purpose, [address])[0].allowed
        ):
            shown[purpose] = ON
        else:
            shown[purpose] = OFF
    return shown


@dataclass
class PreferenceChanges:
    withdrawn: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    objected: bool = False


def update_preferences(
    person: Person,
    *,
    wanted: set[str],
    stop_all: bool,
    lang: str,
    ip: str | None = None,
    channel: str = "",
) -> PreferenceChanges:
    """Apply the preference centre's form for the person holding the link."""
    actor = subject_actor(ip)
    changes = PreferenceChanges()
    if stop_all:
        event = object_to_marketing(
            actor, person, method=Method.PREFERENCE_CENTRE, channel=channel, ip=ip
        )
        changes.objected = event is not None
        return changes
    for purpose, state in preference_state(person).items():
        if purpose in wanted and state == OFF:
            token = start_double_opt_in(
                actor,
                person,
                purpose,
                wording=consent_wording(purpose, lang),
                channel=channel,
                ip=ip,
            )
            if token is not None:
                services.send_confirmation_hook(person, token)
                changes.pending.append(purpose)
        elif purpose not in wanted and state != OFF:
            withdraw(
                actor, person, purpose, method=Method.PREFERENCE_CENTRE, channel=channel, ip=ip
            )
            changes.withdrawn.append(purpose)
    return changes
