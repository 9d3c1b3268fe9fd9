"""`vigie policy draft` and `vigie policy publish`."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from vigie.policy.models import PolicyVersion, Status


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("policy", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_draft_then_publish_from_the_command_line(register) -> None:
    out = run("draft", "--summary-fr", "Première version", "--summary-en", "First", "--material")
    assert "draft v1 created from register revision 1" in out
    assert "R7 checklist: complete" in out
    version = PolicyVersion.objects.get()
    assert version.material and version.author_type == "cli"
    assert "v1 published" in run("publish", "1")
    version.refresh_from_db()
    assert version.status == Status.PUBLISHED


def test_draft_with_a_future_effective_date(register) -> None:
    run("draft", "--summary-fr", "a", "--summary-en", "b", "--effective", "2999-01-01")
    version = PolicyVersion.objects.get()
    assert version.effective_at is not None
    assert timezone.localtime(version.effective_at).isoformat() == "2999-01-01T00:00:00+01:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["draft", "--summary-fr", "a", "--summary-en", ""], r"change summary \(en\) is required"),
        (
            ["draft", "--summary-fr", "a", "--summary-en", "b", "--effective", "demain"],
            "not a date",
        ),
        (["draft", "--summary-fr", "a", "--summary-en", "b", "--effective", "2001-01-01"], "past"),
        (["publish", "abc"], "not a version number"),
        (["publish", "7"], "no policy version 7"),
        (["publish", "99999999999999999999999"], "no policy version 99999999999999999999999"),
        (["publish", "9" * 5000], "not a version number"),
        (["publish", "²"], "not a version number"),
    ],
)
def test_bad_input_is_a_clear_error(register, args, message) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not PolicyVersion.objects.filter(status=Status.PUBLISHED).exists()


def test_draft_without_a_register_fails(db) -> None:
    with pytest.raises(CommandError, match="no register loaded yet"):
        run("draft", "--summary-fr", "a", "--summary-en", "b")


def test_publish_names_the_missing_items(register) -> None:
    run("draft", "--summary-fr", "a", "--summary-en", "b")
    version = PolicyVersion.objects.get()
    body = re.sub(r'<section id="complaint">.*?</section>', "", version.body_fr, flags=re.S)
    PolicyVersion.objects.filter(pk=version.pk).update(body_fr=body)
    err = io.StringIO()
    with pytest.raises(CommandError, match="stays a draft"):
        call_command("policy", "publish", "v1", stdout=io.StringIO(), stderr=err)
    assert "missing R7 item: Complaint to the CNIL" in err.getvalue()
    assert PolicyVersion.objects.get().status == Status.DRAFT
