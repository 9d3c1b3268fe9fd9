"""The Art. 14 notice's due date becomes a date (C2: it ends at 23:59:59 Paris time),
recomputed from the collection time; and a notice only queued, never delivered, is
no longer counted as given (R9): it is pending again until the server accepts one."""

from django.db import migrations, models

from vigie.lib.legal_calendar import add_months, one_month_due_date


def compute_due_dates(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    Message = apps.get_model("mail", "Message")
    people = Person.objects.filter(art14_notice_due_at__isnull=False).only("pk", "collected_at")
    for person in people.iterator():
        Person.objects.filter(pk=person.pk).update(
            art14_notice_due_on=one_month_due_date(person.collected_at)
        )
    notices = Message.objects.filter(template="art14_notice")
    undelivered = notices.exclude(status="sent").values("person_id")
    Person.objects.filter(art14_notice_sent_at__isnull=False, pk__in=undelivered).exclude(
        pk__in=notices.filter(status="sent").values("person_id")
    ).update(art14_notice_sent_at=None)
    # Notices queued before this change kept the partner's name only: they now
    # reference the person, whose notice is rendered from the register.
    for message in Message.objects.filter(
        template="art14_notice", status__in=["queued", "sending", "failed"]
    ):
        message.context = {"person": str(message.person_id)}
        message.save(update_fields=["context"])


def restore_due_times(apps, schema_editor):
    """Going back: the notices still due stay due, with the former rule (one month after
    the collection time); a due date lost here would let marketing reach people never
    informed (R9). Notices reset as undelivered stay so: the former code sends them again."""
    Person = apps.get_model("people", "Person")
    people = Person.objects.filter(art14_notice_due_on__isnull=False).only("pk", "collected_at")
    for person in people.iterator():
        Person.objects.filter(pk=person.pk).update(
            art14_notice_due_at=add_months(person.collected_at, 1)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_organisation_kind_prospect"),
        ("mail", "0003_message_to_organisation_or_recipient"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="art14_notice_due_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(compute_due_dates, restore_due_times),
        migrations.RemoveField(model_name="person", name="art14_notice_due_at"),
        migrations.RenameField(
            model_name="person", old_name="art14_notice_due_on", new_name="art14_notice_due_at"
        ),
    ]
