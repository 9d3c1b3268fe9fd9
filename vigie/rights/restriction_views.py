"""The case page's restriction and objection panel (Art. 18, 21; R55, R56, R42).

One POST route per step, each behind its permission: handlers restrict, send the
lifting letter, lift, record the purposes objected to and send the decision; only the
privacy lead (``rights:case:refuse``) records the compelling grounds that override an
objection. A refused step comes back as the form's error (400), never a 500.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigie.accounts.access import requires
from vigie.accounts.permissions import Permission
from vigie.people.models import BlockStatus, RestrictionReason
from vigie.people.restrictions import active_restrictions
from vigie.register.models import DataCategory
from vigie.rights import objection, restriction
from vigie.rights.case_actions import _act
from vigie.rights.models import Case, RequestType


class RestrictForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason (Art. 18(1))"), choices=RestrictionReason.choices
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Only these data (none ticked: all the person's data)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        english = (get_language() or "fr").startswith("en")
        self.fields["categories"].choices = [  # type: ignore[attr-defined]
            (c.key, c.label_en if english else c.label_fr)
            for c in DataCategory.objects.filter(in_register=True)
        ]


class ObjectForm(forms.Form):
    marketing = forms.MultipleChoiceField(
        label=gettext_lazy("Direct marketing (absolute, never weighed)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    purposes = forms.MultipleChoiceField(
        label=gettext_lazy(
            "Purposes based on legitimate interest (for reasons of their situation)"
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        english = (get_language() or "fr").startswith("en")
        self.fields["marketing"].choices = [  # type: ignore[attr-defined]
            (key, en if english else fr) for key, (fr, en) in objection.MARKETING_LABELS.items()
        ]
        self.fields["purposes"].choices = [  # type: ignore[attr-defined]
            (p.ref, p.label("en" if english else "fr")) for p in objection.objectable_purposes()
        ]


class GroundsForm(forms.Form):
    block = forms.UUIDField(widget=forms.HiddenInput)
    grounds = forms.CharField(
        label=gettext_lazy("Compelling legitimate grounds, or the legal claims"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


def panel(request: HttpRequest, case: Case, bound: dict[str, Any]) -> dict[str, Any]:
    """What the case page shows of restriction and objection, with the forms allowed."""
    allowed = getattr(request.user, "has_vigie_permission", lambda _p: False)
    person = case.person
    restricted = bool(person is not None and active_restrictions(person))
    rows = restriction.restrictions_of(case)
    blocks = objection.blocks_of(case)
    lang = "en" if (get_language() or "fr").startswith("en") else "fr"
    labels = {
        c.key: (c.label_en if lang == "en" else c.label_fr) for c in DataCategory.objects.all()
    }
    context: dict[str, Any] = {
        "restricted": restricted,
        "restriction_rows": [
            {
                "reason": RestrictionReason(r.reason).label,
                "categories": ", ".join(labels.get(k, k) for k in r.categories),
                "set_at": r.set_at,
                "notice_sent_at": r.notice_sent_at,
                "lifted_at": r.lifted_at,
            }
            for r in rows
        ],
        "objection_rows": [
            {
                "id": b.pk,
                "label": b.label(lang),
                "stopped": b.status == BlockStatus.BLOCKED,
                "grounds": b.grounds,
                "marketing": bool(b.marketing),
            }
            for b in blocks
        ],
        "shows_objection": RequestType.OBJECTION in case.types,
        "ro_forms": {},
    }
    context["shows_restriction"] = bool(rows) or bool(
        {RequestType.RESTRICTION, RequestType.RECTIFICATION} & set(case.types)
    )
    if not case.is_open or person is None or not allowed(Permission.RIGHTS_CASE_HANDLE):
        return context
    ro_forms: dict[str, Any] = {}
    # Restriction is offered on the cases that ask for it (or for a rectification).
    if context["shows_restriction"]:
        active = [r for r in rows if r.lifted_at is None]
        ro_forms["restrict"] = bound.get("restrict") or RestrictForm()
        if any(r.notice_sent_at is None for r in active):
            ro_forms["lifting_notice"] = bound.get("lifting_notice") or True
        if active:
            ro_forms["lift"] = bound.get("lift") or True
        # Art. 18(1)(a): the rectification decided, the restriction may be lifted (letter first).
        context["rectification_decided"] = case.decisions.filter(
            request_type=RequestType.RECTIFICATION
        ).exists()
    if RequestType.OBJECTION in case.types and case.identity_status == "verified":
        ro_forms["object"] = bound.get("object") or ObjectForm()
        if blocks:
            ro_forms["decision_letter"] = bound.get("decision_letter") or True
        if allowed(Permission.RIGHTS_CASE_REFUSE):
            ro_forms["grounds"] = bound.get("grounds") or GroundsForm()
    context["ro_forms"] = ro_forms
    return context


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def restrict(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "restrict",
        RestrictForm(request.POST),
        lambda actor, case, d: restriction.restrict_case(actor, case, d["reason"], d["categories"]),
        _("Processing is restricted (« LIMITÉ »); recipients' notices are opened."),
    )


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def restrict_while_checked(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "restrict",
        None,
        lambda actor, case, d: restriction.restrict_case(
            actor, case, RestrictionReason.ACCURACY_CONTESTED
        ),
        _("Processing is restricted while the accuracy is checked."),
    )


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def lifting_notice(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "lifting_notice",
        None,
        lambda actor, case, d: restriction.send_lifting_notice(actor, case),
        _("The letter telling the person the restriction will be lifted is queued."),
    )


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def lift(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "lift",
        None,
        lambda actor, case, d: restriction.lift_case_restrictions(actor, case),
        _("The restriction is lifted."),
    )


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def object_to(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "object",
        ObjectForm(request.POST),
        lambda actor, case, d: objection.object_to_purposes(
            actor, case, purposes=d["purposes"], marketing=d["marketing"]
        ),
        _("The purposes objected to are stopped for this person from today."),
    )


@requires(Permission.RIGHTS_CASE_REFUSE)
@require_POST
def grounds(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "grounds",
        GroundsForm(request.POST),
        lambda actor, case, d: objection.record_grounds(actor, case, str(d["block"]), d["grounds"]),
        _("The compelling grounds are recorded: this purpose goes on."),
    )


@requires(Permission.RIGHTS_CASE_HANDLE)
@require_POST
def decision_letter(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        pk,
        "decision_letter",
        None,
        lambda actor, case, d: objection.send_decision(actor, case),
        _("The decision on the objection is queued for the person."),
    )
