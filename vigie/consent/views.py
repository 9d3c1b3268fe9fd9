"""Public pages (unsubscribe, preference centre, sign-up) and back-office pages of consent.

``/u/<token>`` follows RFC 8058 (R39): a GET only shows a one-button page and
changes nothing (link scanners fetch links); a POST, with the body
``List-Unsubscribe=One-Click`` from a mail client or from that page's button,
unsubscribes at once, with no cookie, login or CSRF token, and answers 200 each
time. It is the only view exempt from CSRF: the secret, signed token in its URL is
what authorises it. The preference centre and the sign-up are ordinary forms.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from vigie.accounts.access import public, requires
from vigie.accounts.permissions import Permission
from vigie.accounts.ratelimit import rate_limited
from vigie.audit.actor import Actor, client_ip
from vigie.consent import import_jobs, importing, preferences, services, signups
from vigie.consent.forms import GRANT, OBJECT, ImportForm, RecordForm, SignupForm
from vigie.consent.models import ImportJob, Method, SuppressionEntry
from vigie.consent.proof import consent_proof
from vigie.consent.segments import segment_counts
from vigie.consent.suppression import entries_of
from vigie.lib.purposes import ALL_PURPOSES, Purpose
from vigie.lib.tokens import BadToken, read_token
from vigie.people.models import Person
from vigie.people.services import (
    PersonData,
    PersonUnavailable,
    find_by_email,
    read_person,
)
from vigie.policy.services import current_version

ONE_CLICK_FIELD, ONE_CLICK_VALUE = "List-Unsubscribe", "One-Click"


def _lang() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def _purpose_label(purpose: str) -> str:
    if purpose == ALL_PURPOSES:
        return _("all commercial e-mails")
    return str(Purpose(purpose).label)


def _without_token(name: str) -> str:
    """A link's path without its token: the channel stored as proof (the token is a secret)."""
    return reverse(name, args=["x"])[:-1]


def _signed_link(token: str) -> bool:
    """Whether ``token`` is a link we signed (no database): such a link is never refused
    for its client IP's rate limit, as a withdrawal must always go through (R39)."""
    try:
        read_token(token)
    except BadToken:
        return False
    return True


def _bad_link(request: HttpRequest) -> HttpResponse:
    return render(request, "consent/bad_link.html", status=404)


# -- One-click unsubscribe (RFC 8058) ------------------------------------------------------


@public
@rate_limited("unsubscribe", link_param="token", methods=("GET", "POST"), valid_token=_signed_link)
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        person, purpose = services.person_for_token(token)
    except BadToken:
        return _bad_link(request)
    if request.method != "POST":
        page: dict[str, Any] = {
            "token": token,
            "purpose": purpose,
            "purpose_label": _purpose_label(purpose),
        }
        if services.already_unsubscribed(person, purpose):
            # A second visit: nothing left to confirm, so no button (R39).
            page["everything"] = services.objected(person)
            return render(request, "consent/already_unsubscribed.html", page)
        return render(request, "consent/unsubscribe.html", page)
    # A mail client posts exactly "List-Unsubscribe=One-Click"; the page's buttons say so.
    from_page = request.POST.get("from") == "page"
    one_click = request.POST.get(ONE_CLICK_FIELD) == ONE_CLICK_VALUE and not from_page
    how = "List-Unsubscribe-Post" if one_click else "confirmation page"
    result = services.unsubscribe(
        token,
        ip=client_ip(request),
        everything=request.POST.get("scope") == ALL_PURPOSES,
        channel=f"{_without_token('consent:unsubscribe')} ({how})",
        method=Method.ONE_CLICK if one_click else Method.UNSUBSCRIBE_PAGE,
    )
    everything = result.purpose == ALL_PURPOSES or services.objected(person)
    context: dict[str, Any] = {
        "token": token,
        "purpose_label": _purpose_label(result.purpose),
        "everything": everything,
        # The link of an Art. 14 notice (every purpose): an objection, not an unsubscription.
        "objection": purpose == ALL_PURPOSES,
    }
    # The same page on a repeat (R39): nothing tells a second POST from the first.
    return render(request, "consent/unsubscribed.html", context)


# -- Preference centre (R44) ----------------------------------------------------------------


@public
@rate_limited(
    "preference-centre", link_param="token", methods=("GET", "POST"), valid_token=_signed_link
)
@never_cache
@require_http_methods(["GET", "POST"])
def preference_centre(request: HttpRequest, token: str) -> HttpResponse:
    try:
        person, _purpose = services.person_for_token(token)
    except BadToken:
        return _bad_link(request)
    changes = None
    if request.method == "POST":
        wanted = set(request.POST.getlist("purposes")) & set(Purpose.values)
        changes = preferences.update_preferences(
            person,
            wanted=wanted,
            stop_all=request.POST.get("stop_all") == "1",
            lang=_lang(),
            ip=client_ip(request),
            channel=_without_token("consent:preferences"),
        )
    state = preferences.preference_state(person)
    switches = [{"purpose": p, "label": label, "state": state[p]} for p, label in Purpose.choices]
    context = {"token": token, "switches": switches, "changes": changes}
    return render(request, "consent/preferences.html", context)


# -- Newsletter sign-up with double opt-in (R34, R43) ---------------------------------------


def _policy_context() -> dict[str, Any]:
    version = current_version()
    name = "policy:current-en" if _lang() == "en" else "policy:current"
    return {"policy_url": reverse(name), "policy_version": version.number if version else None}


@public
@rate_limited(signups.FORM)
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    lang = _lang()
    form = SignupForm(request.POST or None, lang=lang)
    if request.method == "POST" and form.is_valid():
        # Answered at once, the same whether the address is known, new or already
        # subscribed: the worker does the sign-up (``consent.signups``).
        signups.request_signup(
            email=form.cleaned_data["email"],
            first_name=form.cleaned_data["first_name"],
            purpose=Purpose.NEWSLETTER,
            wording=form.wording,
            channel=request.build_absolute_uri(reverse("consent:signup")),
            ip=client_ip(request),
            language=lang,
        )
        return render(request, "consent/signup_pending.html")
    context = {"form": form, **_policy_context()}
    return render(request, "consent/signup.html", context, status=400 if form.errors else 200)


@public
@rate_limited("newsletter-confirm", link_param="token", methods=("GET", "POST"))
@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (scanners fetch links); the POST of that button confirms."""
    if request.method != "POST":
        return render(request, "consent/confirm.html", {"token": token})
    try:
        services.confirm_double_opt_in(
            token,
            ip=client_ip(request),
            channel=request.build_absolute_uri(_without_token("consent:confirm")),
        )
    except services.ConfirmationExpired as expired:
        # Offer again what expired: the sign-up form for the newsletter, the
        # preference centre (a link by e-mail) for the other purposes.
        context: dict[str, Any] = {
            "error": _("This confirmation link has expired: please ask again."),
            "expired_purpose": expired.purpose,
            "expired_label": (
                _purpose_label(expired.purpose) if expired.purpose in Purpose.values else ""
            ),
        }
        return render(request, "consent/confirm.html", context, status=400)
    except services.ConfirmationInvalid:
        error = _("This confirmation link is not valid.")
    else:
        return render(request, "consent/confirmed.html")
    return render(request, "consent/confirm.html", {"error": error}, status=400)


# -- Back-office ---------------------------------------------------------------------------


def _person(person_id: str) -> Person:
    try:
        pk = uuid.UUID(person_id)
    except ValueError:
        raise Http404("no such person") from None
    return get_object_or_404(Person, pk=pk)


def _read(request: HttpRequest, person: Person, view: str) -> PersonData | None:
    try:
        return read_person(Actor.from_request(request), person, view=view)
    except PersonUnavailable:
        return None


@requires(Permission.CONSENT_VIEW)
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    email = request.GET.get("email", "").strip()
    if email:
        person = find_by_email(email)
        if person is not None:
            return redirect("consent:proof", str(person.pk))
        messages.info(request, _("No person has this address."))
    return render(request, "consent/backoffice/search.html", {"email": email})


@requires(Permission.CONSENT_VIEW)
@require_GET
def proof(request: HttpRequest, person_id: str) -> HttpResponse:
    """Every R34 field of every consent event of the person, and the current state."""
    person = _person(person_id)
    data = _read(request, person, "consent:proof")
    context = {
        "person": person,
        "data": data,
        "lines": consent_proof(person),
        "subscriptions": services.subscription_states(person).values(),
        # The suppression entries of the person's addresses, lifted ones too (R43).
        "suppressions": list(entries_of(data.emails)) if data else [],
    }
    return render(request, "consent/backoffice/proof.html", context)


@requires(Permission.CONSENT_VIEW)
@require_GET
def proof_export(request: HttpRequest, person_id: str) -> HttpResponse:
    """The same proof as a JSON file, for a regulator or the person (Art. 7(1))."""
    person = _person(person_id)
    data = _read(request, person, "consent:proof-export")
    body = {
        "person": str(person.pk),
        "email": data.email if data else None,
        "exported_at": timezone.now().isoformat(),
        "events": [line.as_dict() for line in consent_proof(person)],
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="consent-proof-{person.pk}.json"'
    return response


@requires(Permission.CONSENT_RECORD)
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, person_id: str) -> HttpResponse:
    """A consent, withdrawal or objection received by phone or post; the staff member
    is the collector (R34, R40)."""
    person = _person(person_id)
    form = RecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        data = form.cleaned_data
        common = {
            "method": data["method"],
            "channel": data["method"],
            "proof_ref": data["proof_ref"],
            "wording": data["wording"],
        }
        try:
            if data["action"] == GRANT:
                services.record_consent(actor, person, data["purpose"], **common)
            elif data["action"] == OBJECT:
                services.object_to_marketing(actor, person, **common)
            else:
                services.withdraw(actor, person, data["purpose"], **common)
        except services.ConsentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Recorded."))
            return redirect("consent:proof", str(person.pk))
    context = {"person": person, "form": form}
    return render(
        request, "consent/backoffice/record.html", context, status=400 if form.errors else 200
    )


@requires(Permission.CONSENT_IMPORT)
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest) -> HttpResponse:
    """CSV import: a file that cannot be read is refused whole, at once; a readable one
    is handed to the worker (``consent.import_jobs``) and the page answers at once with
    the job's page (progress, then the report). Suppressed addresses are never
    re-subscribed (R41, R43); personal mailboxes without consent are refused (R35, R36)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_jobs.start_import(
                Actor.from_request(request),
                upload.read(),
                file_name=upload.name or "",
                wording=form.cleaned_data["wording"],
                channel=form.cleaned_data["channel"] or f"import:{upload.name}",
            )
        except (importing.ImportFileError, ValidationError) as error:
            form.add_error("file", str(error))
        else:
            return redirect("consent:import-job", str(job.pk))
    context = {
        "form": form,
        "columns": importing.COLUMNS,
        "optional_columns": importing.OPTIONAL_COLUMNS,
        "jobs": ImportJob.objects.all()[:10],
    }
    status = 400 if form.errors else 200
    return render(request, "consent/backoffice/import.html", context, status=status)


@requires(Permission.CONSENT_IMPORT)
@require_http_methods(["GET"])
def import_job(request: HttpRequest, job_id: str) -> HttpResponse:
    """An import handed to the worker: its progress, then its report."""
    try:
        job = ImportJob.objects.filter(pk=uuid.UUID(job_id)).first()
    except ValueError:
        job = None
    if job is None:
        raise Http404
    finished = job.state in (ImportJob.State.DONE, ImportJob.State.FAILED)
    context = {
        "job": job,
        "finished": finished,
        "report": job.report if job.state == ImportJob.State.DONE else None,
        "percent": 100 if finished else (100 * job.lines_done // max(job.lines_total, 1)),
    }
    return render(request, "consent/backoffice/import_job.html", context)


#: The suppression list page shows the latest entries; the counts cover them all.
SUPPRESSION_PAGE_ROWS = 200


@requires(Permission.CONSENT_VIEW)
@require_GET
def suppression_list(request: HttpRequest) -> HttpResponse:
    """The suppression list (R41) as hashes, scopes and dates: never readable as
    contacts. A lifted entry says when the person lifted it, and by which event (R43)."""
    entries = SuppressionEntry.objects.select_related("lifted_by").order_by("-created_at", "-pk")
    context = {
        "entries": entries[:SUPPRESSION_PAGE_ROWS],
        "active": entries.filter(lifted_at__isnull=True).count(),
        "lifted": entries.filter(lifted_at__isnull=False).count(),
        "rows": SUPPRESSION_PAGE_ROWS,
    }
    return render(request, "consent/backoffice/suppression.html", context)


@requires(Permission.CONSENT_VIEW)
@require_GET
def segment_list(request: HttpRequest) -> HttpResponse:
    """Targeting segments and how many people each may target now (R42: never an objector)."""
    return render(request, "consent/backoffice/segments.html", {"segments": segment_counts()})
