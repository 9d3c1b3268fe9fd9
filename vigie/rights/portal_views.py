"""The rights pages of the portal: the public request form and the personal space.

The request form answers the same page, after the same work, whatever the address
(no enumeration, R48): the worker opens the case (``rights.portal``). The personal
space is reached only through a link sent to the address on file; the session holds
the person's id under its own key (``space.SESSION_KEY``), never a staff login, and
every page of it reads only that person's data.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vigie.accounts.access import public
from vigie.accounts.ratelimit import rate_limited
from vigie.audit.actor import client_ip
from vigie.lib.language import LANG_PARAM
from vigie.people.models import Person
from vigie.rights import portal, services, space
from vigie.rights.models import RequestType
from vigie.rights.portability_views import ControllerForm, exports_of
from vigie.rights.portal_forms import (
    EXPLANATIONS,
    AddressForm,
    DetailsForm,
    DirectiveForm,
    NewEmailForm,
    PhoneForm,
    RequestForm,
    SpaceRequestForm,
)
from vigie.rights.recipients import recipient_rows
from vigie.rights.sealing import Requester

#: The personal space's own forms, each counted per client IP under its own name.
SPACE_FORM = "personal-space"


def _lang() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


# -- the public request form (R46) ---------------------------------------------------------


def _request_page(request: HttpRequest) -> HttpResponse:
    lang = _lang()
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        portal.request_case(
            types=list(data["types"]),
            requester=Requester(
                email=data["email"],
                name=data["name"],
                on_file_email=data["on_file_email"],
                reference=data["reference"],
            ),
            description=data["message"],
            ip=client_ip(request),
            language=lang,
        )
        # The same words for every address: nothing says whether it is on file.
        return render(request, "rights/portal/request_sent.html")
    explanations = {str(k): v for k, v in EXPLANATIONS.items()}
    context = {"form": form, "explanations": explanations}
    status = 400 if form.errors else 200
    return render(request, "rights/portal/request.html", context, status=status)


@public
@rate_limited(portal.FORM)
@never_cache
@require_http_methods(["GET", "POST"])
def request_fr(request: HttpRequest) -> HttpResponse:
    return _request_page(request)


@public
@rate_limited(portal.FORM)
@never_cache
@require_http_methods(["GET", "POST"])
def request_en(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and request.GET.get(LANG_PARAM) == "fr":
        # The page's « Français » link: the French form is at its own address.
        return redirect(reverse("rights:request") + f"?{LANG_PARAM}=fr")
    with translation.override("en"):
        response = _request_page(request)
    response["Content-Language"] = "en"
    return response


# -- signing in to the personal space --------------------------------------------------------


@public
@rate_limited(space.FORM)
@never_cache
@require_http_methods(["GET", "POST"])
def space_sign_in(request: HttpRequest) -> HttpResponse:
    """Ask for the sign-in link; the answer never says whether the address is known."""
    form = AddressForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "rights/space/sign_in.html", {"form": form}, status=400)
        space.request_sign_in_link(form.cleaned_data["email"], language=_lang())
        return render(request, "rights/space/sign_in.html", {"sent": True})
    return render(request, "rights/space/sign_in.html", {"form": form})


def _valid_sign_in(token: str) -> bool:
    try:
        space.person_for_sign_in(token)
    except space.BadLink:
        return False
    return True


@public
@rate_limited("personal-space-enter", link_param="token", methods=("GET", "POST"))
@never_cache
@require_http_methods(["GET", "POST"])
def space_enter(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners follow links); its POST opens the session."""
    try:
        person = space.person_for_sign_in(token)
        if request.method == "GET":
            return render(request, "rights/space/enter.html")
        # The link opens the space once (a forwarded or leaked one is spent).
        person = space.sign_in(token, client_ip(request))
    except space.BadLink:
        return render(request, "rights/space/bad_link.html", status=400)
    # A new session key: a session fixed by someone else before sign-in is not reused.
    request.session.cycle_key()
    request.session[space.SESSION_KEY] = str(person.pk)
    if "_auth_user_id" not in request.session:
        # A person's space closes by itself after the hour, on a shared computer too
        # (a staff member's session in the same browser keeps its own length).
        request.session.set_expiry(space.SESSION_MINUTES * 60)
    return redirect("rights:space")


def _signed_in_person(request: HttpRequest) -> Person | None:
    return space.person_of_session(request.session.get(space.SESSION_KEY))


SpaceView = Callable[[HttpRequest, Person], HttpResponse]


def in_space(view: SpaceView) -> Callable[[HttpRequest], HttpResponseBase]:
    """The page of the signed-in person; anyone else goes to the sign-in page."""

    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponseBase:
        person = _signed_in_person(request)
        if person is None:
            request.session.pop(space.SESSION_KEY, None)
            return redirect("rights:space-sign-in")
        return view(request, person)

    return wrapper


# -- the personal space ------------------------------------------------------------------------


def _space_page(
    request: HttpRequest, person: Person, status: int = 200, **forms: Any
) -> HttpResponse:
    from vigie.consent.preference_links import preferences_url

    view = space.open_space(space.subject(person, client_ip(request)), person)
    # « Confirm with the link we sent » only where a link went to this person: a request
    # from their address naming another address on file must not say whether it is one.
    link_sent = space.cases_awaiting_link(person, view.cases)
    context = {
        "space": view,
        "cases": [
            {
                "case": case,
                "types": [str(RequestType(t).label) for t in case.types],
                "status": case.get_status_display(),
                "link_sent": case.pk in link_sent,
            }
            for case in view.cases
        ],
        "preferences_url": preferences_url(person.pk),
        "phone_form": forms.get("phone_form") or PhoneForm(initial={"phone": view.data.phone}),
        "email_form": forms.get("email_form") or NewEmailForm(),
        "details_form": forms.get("details_form")
        or DetailsForm(initial={"job_title": view.data.job_title}),
        "request_form": forms.get("request_form") or SpaceRequestForm(),
        "directive_form": forms.get("directive_form")
        or DirectiveForm(initial={"text": view.directive}),
        "explanations": {str(k): v for k, v in EXPLANATIONS.items()},
        # Art. 19: who received their data, from the disclosure log (R22).
        "recipients": recipient_rows(person, _lang()),
        "portability_exports": exports_of(person),
        "controller_form": ControllerForm(),
    }
    from vigie.rights.access_delivery import packages_of_person
    from vigie.rights.access_render import FORMATS

    # R50: the access packages still downloadable, « Télécharger » per format.
    context["packages"] = packages_of_person(person)
    context["package_formats"] = FORMATS
    return render(request, "rights/space/space.html", context, status=status)


@public
@never_cache
@require_GET
@in_space
def space_home(request: HttpRequest, person: Person) -> HttpResponse:
    return _space_page(request, person)


@public
@rate_limited(f"{SPACE_FORM}-phone")
@require_POST
@in_space
def space_phone(request: HttpRequest, person: Person) -> HttpResponse:
    form = PhoneForm(request.POST)
    if form.is_valid():
        try:
            changed = space.correct_phone(
                space.subject(person, client_ip(request)), person, form.cleaned_data["phone"]
            )
        except services.RightsError as error:
            form.add_error("phone", str(error))
        else:
            if changed:
                messages.success(request, _("Your telephone number is corrected."))
            return redirect("rights:space")
    return _space_page(request, person, status=400, phone_form=form)


@public
@rate_limited(f"{SPACE_FORM}-details")
@require_POST
@in_space
def space_details(request: HttpRequest, person: Person) -> HttpResponse:
    """Job title, mobile, postal address: corrected at once in Vigie and every source."""
    from vigie.rights.space_corrections import correct_details

    form = DetailsForm(request.POST)
    if form.is_valid():
        try:
            changed = correct_details(
                space.subject(person, client_ip(request)), person, form.changes()
            )
        except services.RightsError as error:
            form.add_error(None, str(error))
        else:
            if changed:
                messages.success(request, _("Your details are corrected."))
            return redirect("rights:space")
    return _space_page(request, person, status=400, details_form=form)


@public
@rate_limited(f"{SPACE_FORM}-email")
@require_POST
@in_space
def space_email(request: HttpRequest, person: Person) -> HttpResponse:
    form = NewEmailForm(request.POST)
    if form.is_valid():
        try:
            space.request_email_change(
                space.subject(person, client_ip(request)),
                person,
                form.cleaned_data["new_email"],
                language=_lang(),
            )
        except services.RightsError as error:
            form.add_error("new_email", str(error))
        else:
            messages.success(
                request,
                _("We sent a link to the new address: your address changes when you open it."),
            )
            return redirect("rights:space")
    return _space_page(request, person, status=400, email_form=form)


@public
@rate_limited("personal-space-email-confirm", link_param="token", methods=("GET", "POST"))
@never_cache
@require_http_methods(["GET", "POST"])
def space_email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; its POST makes the new address the address on file."""
    if space.read_email_change_token(token) is None:
        return render(request, "rights/space/bad_link.html", status=400)
    if request.method == "GET":
        return render(request, "rights/space/email_confirm.html")
    person = space.confirm_email_change(token, ip=client_ip(request))
    if person is None:
        return render(request, "rights/space/bad_link.html", status=400)
    return render(request, "rights/space/email_confirm.html", {"done": True})


@public
@rate_limited(f"{SPACE_FORM}-request")
@require_POST
@in_space
def space_request(request: HttpRequest, person: Person) -> HttpResponse:
    form = SpaceRequestForm(request.POST)
    if form.is_valid():
        try:
            case = space.file_request(
                space.subject(person, client_ip(request)),
                person,
                types=list(form.cleaned_data["types"]),
                description=form.cleaned_data["message"],
                language=_lang(),
            )
        except services.RightsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Your request is recorded as case no. %(number)s.") % {"number": case.number},
            )
            return redirect("rights:space")
    return _space_page(request, person, status=400, request_form=form)


@public
@rate_limited(f"{SPACE_FORM}-directive")
@require_POST
@in_space
def space_directive(request: HttpRequest, person: Person) -> HttpResponse:
    form = DirectiveForm(request.POST)
    if form.is_valid():
        try:
            space.record_directive(
                space.subject(person, client_ip(request)), person, form.cleaned_data["text"]
            )
        except services.RightsError as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, _("Your directives are recorded."))
            return redirect("rights:space")
    return _space_page(request, person, status=400, directive_form=form)


@public
@rate_limited(f"{SPACE_FORM}-sign-out")
@require_POST
def space_sign_out(request: HttpRequest) -> HttpResponse:
    request.session.pop(space.SESSION_KEY, None)
    request.session.cycle_key()
    return render(request, "rights/space/signed_out.html")
