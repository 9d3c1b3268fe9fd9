"""The disclosure log in the back-office (R22): record one transmission from the
person page, download a person's log, import a CSV file. Each route declares its
permission; a refused line is a form error (400), never a 500."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vigie.accounts.access import requires
from vigie.accounts.permissions import Permission
from vigie.audit.actor import Actor
from vigie.audit.services import record_read
from vigie.disclosures.forms import DisclosureForm, ImportForm
from vigie.disclosures.importing import ImportFileError, import_csv
from vigie.disclosures.models import Channel
from vigie.disclosures.person_panel import disclosures_panel, log_rows
from vigie.disclosures.services import DisclosureError, disclosures_of, record_disclosure
from vigie.lib.legal_calendar import PARIS
from vigie.lib.spreadsheet import csv_bytes
from vigie.people.models import Person
from vigie.people.panels import person_panels
from vigie.people.services import PersonUnavailable, read_person
from vigie.people.views import type_labels


def _live(pk: uuid.UUID) -> Person:
    return get_object_or_404(
        Person.objects.select_related("organisation"), pk=pk, shredded_at__isnull=True
    )


@requires(Permission.DISCLOSURES_RECORD)
@require_POST
def record(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The person page's form: the recipient is chosen among the register's (R21)."""
    person = _live(pk)
    form = DisclosureForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        moment = dt.datetime.combine(data["disclosed_on"], dt.time.min, tzinfo=PARIS)
        try:
            _disclosure, created = record_disclosure(
                Actor.from_request(request),
                person,
                data["recipient"],
                data["categories"],
                moment,
                purpose=data["purpose"].strip(),
                legal_basis=data["legal_basis"].strip(),
                reference=data["reference"].strip(),
                channel=Channel.STAFF,
            )
        except DisclosureError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Disclosure recorded.") if created else _("This disclosure was already logged."),
            )
            return redirect("people:detail", person.pk)
    # The person page again, this panel with the form and its errors.
    actor = Actor.from_request(request)
    try:
        data_shown = read_person(actor, person, view="people:detail")
    except PersonUnavailable:
        data_shown = None
    panels = [
        p for p in person_panels(request, person) if p.template != "disclosures/_person_panel.html"
    ]
    own = disclosures_panel(request, person, form)
    if own is not None:
        panels.append(own)
    context = {"person": person, "data": data_shown, "types": type_labels(person), "panels": panels}
    return render(request, "people/detail.html", context, status=400)


@requires(Permission.DISCLOSURES_VIEW)
@require_safe
def export(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A person's log as CSV: every text cell neutralised (no formula runs)."""
    person = _live(pk)
    disclosures = disclosures_of(person)
    record_read(
        Actor.from_request(request),
        person,
        view="disclosures:export",
        extra={"disclosures": len(disclosures)},
    )
    rows: list[list[str]] = [
        [
            _("Sent on"),
            _("Recipient"),
            _("Data categories"),
            _("Reference"),
            _("Purpose"),
            _("Legal basis"),
            _("Recorded by"),
        ]
    ]
    for row in log_rows(disclosures):
        rows.append(
            [
                row["disclosed_at"].astimezone(PARIS).strftime("%d/%m/%Y"),
                row["recipient"],
                ", ".join(row["categories"]),
                row["reference"],
                row["purpose"],
                row["legal_basis"],
                str(row["channel"]),
            ]
        )
    response = HttpResponse(csv_bytes(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="communications.csv"'
    return response


@requires(Permission.DISCLOSURES_RECORD)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """A CSV file of disclosures: the report per line (see ``importing``)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = import_csv(Actor.from_request(request), form.cleaned_data["file"].read())
        except ImportFileError as error:
            form.add_error("file", _("%(error)s (nothing recorded)") % {"error": error})
    status = 400 if request.method == "POST" and report is None else 200
    return render(
        request, "disclosures/import.html", {"form": form, "report": report}, status=status
    )
