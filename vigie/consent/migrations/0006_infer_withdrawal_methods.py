"""Give withdrawals and objections recorded before the method choices grew their
method, where the stored channel says it (R39, R40).

Until this release every act on a public page was stored as ``web_form``, with the
way it came only in the free-text channel: ``/u/ (List-Unsubscribe-Post)`` for a mail
client's one-click POST, ``/u/ (confirmation page)`` for the unsubscribe page's
button, ``/preferences/`` for the preference centre. Events whose channel says none
of these keep ``web_form``. Consent events are append-only for the application; this
correction of a coded field, from data the row itself holds, is the one exception.
"""

from __future__ import annotations

from django.db import migrations

STOPS = ("withdraw", "object")
# (channel test, method) at this release; consent.views wrote these channels.
INFERRED = (
    ({"channel__endswith": "(List-Unsubscribe-Post)"}, "one_click"),
    ({"channel__endswith": "(confirmation page)"}, "unsubscribe_page"),
    ({"channel__contains": "/preferences/"}, "preference_centre"),
)


def infer_methods(apps, schema_editor) -> None:
    event_model = apps.get_model("consent", "ConsentEvent")
    stops = event_model.objects.filter(kind__in=STOPS, method="web_form")
    for condition, method in INFERRED:
        stops.filter(**condition).update(method=method)


def back_to_web_form(apps, schema_editor) -> None:
    event_model = apps.get_model("consent", "ConsentEvent")
    methods = [method for _condition, method in INFERRED]
    event_model.objects.filter(kind__in=STOPS, method__in=methods).update(method="web_form")


class Migration(migrations.Migration):
    dependencies = [("consent", "0005_suppression_lifted_and_withdrawal_method")]

    operations = [migrations.RunPython(infer_methods, back_to_web_form)]
