"""The privacy policy: public pages (French and English) and back-office pages.

Public pages show only published versions: the one in force, and every version at
its stable URL forever (R74). The back-office lists versions, shows a draft with its
R7 checklist, creates drafts, publishes and compares versions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vigie.accounts.access import public, requires
from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.lib.language import LANG_PARAM
from vigie.policy import checklist, services
from vigie.policy.forms import DraftForm, PublishForm
from vigie.policy.models import PolicyVersion

TEXT_PARAM = "text"  # which language of a version the back-office shows ("lang" is the UI's)
PUBLIC_NAMES = {
    "fr": ("policy:current", "policy:version"),
    "en": ("policy:current-en", "policy:version-en"),
}


# -- Public pages -------------------------------------------------------------------------


def _public_url(lang: str, number: int | None) -> str:
    current, version = PUBLIC_NAMES[lang]
    return reverse(version, args=[number]) if number is not None else reverse(current)


def _public_page(request: HttpRequest, lang: str, number: int | None) -> HttpResponse:
    if number is not None and number < 1:
        # Versions count from 1: "v0" is no version, not another name of the current one.
        raise Http404("no such published version of the privacy policy")
    # The page's language is its URL's: "?lang=xx" (the site-wide switch) leads
    # to the same version at the other language's URL.
    other = request.GET.get(LANG_PARAM)
    if other in PUBLIC_NAMES and other != lang:
        response: HttpResponse = HttpResponseRedirect(_public_url(other, number))
        return response
    current = services.current_version()
    version = services.published_version(number) if number is not None else current
    if version is None:
        raise Http404("no such published version of the privacy policy")
    context: dict[str, Any] = {
        "version": version,
        "lang": lang,
        "body": version.body(lang),
        "summary": version.change_summary(lang),
        "current": current,
        "is_current": current is not None and version.pk == current.pk,
        "upcoming": version.effective_at is not None and version.effective_at > timezone.now(),
        "versions": services.published_versions(),
        "other_url": _public_url("en" if lang == "fr" else "fr", number),
    }
    with translation.override(lang):
        response = render(request, f"policy/public/version_{lang}.html", context)
    response["Content-Language"] = lang
    return response


@public
@require_GET
def current_fr(request: HttpRequest) -> HttpResponse:
    return _public_page(request, "fr", None)


@public
@require_GET
def version_fr(request: HttpRequest, number: int) -> HttpResponse:
    return _public_page(request, "fr", number)


@public
@require_GET
def current_en(request: HttpRequest) -> HttpResponse:
    return _public_page(request, "en", None)


@public
@require_GET
def version_en(request: HttpRequest, number: int) -> HttpResponse:
    return _public_page(request, "en", number)


# -- Back-office --------------------------------------------------------------------------


def _text_lang(request: HttpRequest) -> str:
    return "en" if request.GET.get(TEXT_PARAM) == "en" else "fr"


@requires(Permission.POLICY_VIEW)
@require_GET
def backoffice_list(request: HttpRequest) -> HttpResponse:
    context = {
        "versions": list(PolicyVersion.objects.order_by("-number")),
        "current": services.current_version(),
    }
    return render(request, "policy/backoffice/list.html", context)


def _detail(
    request: HttpRequest,
    version: PolicyVersion,
    publish_form: PublishForm | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    lang = _text_lang(request)
    try:
        results = checklist.checklist_status(version)
        checklist_error = ""
    except LookupError as error:
        results, checklist_error = [], str(error)
    context = {
        "version": version,
        "lang": lang,
        "body": version.body(lang),
        "results": results,
        "checklist_error": checklist_error,
        "complete": bool(results) and all(r.ok for r in results),
        "current": services.current_version(),
        "publish_form": publish_form or PublishForm(),
        "previous": PolicyVersion.objects.filter(number__lt=version.number)
        .order_by("-number")
        .first(),
    }
    return render(request, "policy/backoffice/detail.html", context, status=status)


@requires(Permission.POLICY_VIEW)
@require_GET
def backoffice_detail(request: HttpRequest, number: int) -> HttpResponse:
    return _detail(request, get_object_or_404(PolicyVersion, number=number))


@requires(Permission.POLICY_EDIT)
def backoffice_create(request: HttpRequest) -> HttpResponse:
    form = DraftForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                version = services.create_draft(
                    Actor.from_request(request),
                    change_summary_fr=form.cleaned_data["change_summary_fr"],
                    change_summary_en=form.cleaned_data["change_summary_en"],
                    material=form.cleaned_data["material"],
                    effective_at=form.effective_at(),
                )
            except services.PolicyError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("Draft v%(number)s created.") % {"number": version.number}
                )
                return redirect("policy:detail", number=version.number)
        return render(request, "policy/backoffice/create.html", {"form": form}, status=400)
    return render(request, "policy/backoffice/create.html", {"form": form})


@require_POST
@requires(Permission.POLICY_PUBLISH)
def backoffice_publish(request: HttpRequest, number: int) -> HttpResponse:
    version = get_object_or_404(PolicyVersion, number=number)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.publish(Actor.from_request(request), version, effective_at=form.effective_at())
        except services.ChecklistRefusal as refusal:
            form.add_error(
                None,
                _("Refused: the text misses these R7 items; the version stays a draft."),
            )
            for item in refusal.missing:
                form.add_error(None, f"{item.label_fr} / {item.label_en}")
        except services.PolicyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("v%(number)s is published.") % {"number": number})
            return redirect("policy:detail", number=number)
    version.refresh_from_db()
    return _detail(request, version, form, status=400)


def _version_number(value: str | None) -> int | None:
    """``N`` or ``vN``; None unless made of ASCII digits (``str.isdigit`` accepts "²").

    A number may be past the database column's range: the caller checks it against
    ``services.NUMBER_MAX`` before any query.
    """
    digits = (value or "").strip().lstrip("v")
    if not digits.isascii() or not digits.isdigit() or len(digits) > services.DIGITS_MAX:
        return None
    return int(digits)


@requires(Permission.POLICY_VIEW)
@require_GET
def backoffice_diff(request: HttpRequest) -> HttpResponse:
    lang = _text_lang(request)
    versions = list(PolicyVersion.objects.order_by("-number").values_list("number", flat=True))
    context: dict[str, Any] = {"lang": lang, "numbers": versions, "lines": None, "error": ""}
    a, b = _version_number(request.GET.get("a")), _version_number(request.GET.get("b"))
    context.update(a=a, b=b)
    if a is None or b is None:
        if "a" in request.GET or "b" in request.GET:
            context["error"] = _("Give two version numbers to compare, such as a=1 and b=2.")
            return render(request, "policy/backoffice/diff.html", context, status=400)
        return render(request, "policy/backoffice/diff.html", context)
    # A number past the column's range cannot exist, and would overflow the query.
    wanted = [n for n in (a, b) if n <= services.NUMBER_MAX]
    found = {v.number: v for v in PolicyVersion.objects.filter(number__in=wanted)}
    unknown = [n for n in (a, b) if n not in found]
    if unknown:
        context["error"] = _("No version %(number)s.") % {"number": unknown[0]}
        return render(request, "policy/backoffice/diff.html", context, status=404)
    context["lines"] = services.version_diff(found[a], found[b], lang)
    return render(request, "policy/backoffice/diff.html", context)
