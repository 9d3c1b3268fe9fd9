"""Back-office pages: list, detail with the R7 checklist, draft, publish, diff."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from vigie.policy.models import PolicyVersion, Status

DRAFT_FORM = {
    "change_summary_fr": "Nouvelle durée de conservation",
    "change_summary_en": "New retention period",
}


def test_the_privacy_lead_drafts_then_publishes(signed_in, privacy_lead, register) -> None:
    client = signed_in(privacy_lead)
    assert client.get(reverse("policy:create")).status_code == 200
    response = client.post(reverse("policy:create"), {**DRAFT_FORM, "material": "on"})
    assert response.status_code == 302
    version = PolicyVersion.objects.get()
    assert response["Location"] == reverse("policy:detail", args=[version.number])
    assert version.material and version.author_id == str(privacy_lead.pk)
    detail = client.get(response["Location"]).content.decode()
    assert "Chaque élément est présent dans les deux langues." in detail

    response = client.post(reverse("policy:publish", args=[1]))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == Status.PUBLISHED
    assert version.publisher_id == str(privacy_lead.pk)


def test_a_refused_publication_names_the_missing_items(signed_in, privacy_lead, draft) -> None:
    version = draft()
    body = re.sub(r'<section id="complaint">.*?</section>', "", version.body_en, flags=re.S)
    PolicyVersion.objects.filter(pk=version.pk).update(body_en=body)
    client = signed_in(privacy_lead)
    response = client.post(reverse("policy:publish", args=[1]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Réclamation auprès de la CNIL" in page and "la version reste un projet" in page
    assert re.search(r'id="item-cnil-complaint">.*?✓.*?✗', page, flags=re.S)
    assert PolicyVersion.objects.get().status == Status.DRAFT


def test_the_draft_form_refuses_empty_summaries(signed_in, privacy_lead, register) -> None:
    response = signed_in(privacy_lead).post(reverse("policy:create"), {"change_summary_fr": ""})
    assert response.status_code == 400
    assert not PolicyVersion.objects.exists()


def test_a_draft_without_a_register_is_a_form_error(signed_in, privacy_lead) -> None:
    response = signed_in(privacy_lead).post(reverse("policy:create"), DRAFT_FORM)
    assert response.status_code == 400
    assert "no register loaded yet" in response.content.decode()


def test_a_past_effective_date_is_a_form_error(signed_in, privacy_lead, register) -> None:
    form = {**DRAFT_FORM, "effective_on": "2020-01-01"}
    response = signed_in(privacy_lead).post(reverse("policy:create"), form)
    assert response.status_code == 400
    assert not PolicyVersion.objects.exists()


def test_publishing_twice_is_a_form_error(signed_in, privacy_lead, published) -> None:
    published()
    response = signed_in(privacy_lead).post(reverse("policy:publish", args=[1]))
    assert response.status_code == 400
    assert "already published" in response.content.decode()


def test_the_auditor_reads_versions_drafts_and_diffs(signed_in, auditor, draft) -> None:
    draft("un"), draft("deux")
    client = signed_in(auditor)
    listing = client.get(reverse("policy:list"))
    assert listing.status_code == 200 and "v2" in listing.content.decode()
    detail = client.get(reverse("policy:detail", args=[2]))
    assert detail.status_code == 200
    assert 'id="publish"' not in detail.content.decode()
    assert client.get(reverse("policy:diff"), {"a": 1, "b": 2}).status_code == 200


@pytest.mark.parametrize(("name", "args"), [("policy:create", []), ("policy:publish", [1])])
def test_the_auditor_cannot_draft_or_publish(signed_in, auditor, draft, name, args) -> None:
    draft()
    response = signed_in(auditor).post(reverse(name, args=args), DRAFT_FORM)
    assert response.status_code == 403
    assert PolicyVersion.objects.get().status == Status.DRAFT


@pytest.mark.parametrize(
    ("method", "name", "args"),
    [
        ("get", "policy:list", []),
        ("get", "policy:detail", [1]),
        ("get", "policy:diff", []),
        ("post", "policy:create", []),
        ("post", "policy:publish", [1]),
    ],
)
def test_an_account_without_role_is_refused(signed_in, outsider, draft, method, name, args) -> None:
    draft()
    response = getattr(signed_in(outsider), method)(reverse(name, args=args))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("method", "name", "args"),
    [
        ("get", "policy:list", []),
        ("get", "policy:detail", [1]),
        ("get", "policy:diff", []),
        ("get", "policy:create", []),
        ("post", "policy:publish", [1]),
    ],
)
def test_an_anonymous_visitor_is_sent_to_login(client, draft, method, name, args) -> None:
    draft()
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith("/backoffice/login/")


def test_the_diff_page_shows_the_changed_line(
    signed_in, auditor, published, register, change_register
) -> None:
    published()
    register["security_measures"][1]["label"]["fr"] = "Formation RGPD annuelle"
    change_register(register)
    published()
    response = signed_in(auditor).get(reverse("policy:diff"), {"a": "1", "b": "2"})
    page = response.content.decode()
    assert '<span class="danger">-Formation</span>' in page
    assert '<span class="ok">+Formation RGPD annuelle</span>' in page


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"a": "1"}, 400, "Indiquez deux numéros de version"),
        ({"a": "x", "b": "1"}, 400, "Indiquez deux numéros de version"),
        ({"a": "1", "b": "7"}, 404, "Pas de version 7."),
    ],
)
def test_bad_diff_input_is_a_4xx_with_a_message(
    signed_in, auditor, draft, query, status, message
) -> None:
    draft()
    response = signed_in(auditor).get(reverse("policy:diff"), query)
    assert response.status_code == status
    assert message in response.content.decode()


def test_an_unknown_version_is_not_found(signed_in, auditor, register) -> None:
    assert signed_in(auditor).get(reverse("policy:detail", args=[5])).status_code == 404


def test_the_detail_shows_the_english_text_on_request(signed_in, auditor, draft) -> None:
    draft()
    page = signed_in(auditor).get(reverse("policy:detail", args=[1]), {"text": "en"})
    assert "Right to data portability" in page.content.decode()


HUGE = "99999999999999999999999"  # past any database integer


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"a": "1", "b": HUGE}, 404, f"Pas de version {HUGE}."),
        ({"a": HUGE, "b": "1"}, 404, f"Pas de version {HUGE}."),
        ({"a": "1", "b": "2147483648"}, 404, "Pas de version 2147483648."),
        ({"a": "1", "b": "9" * 5000}, 400, "Indiquez deux numéros de version"),
        ({"a": "1", "b": "²"}, 400, "Indiquez deux numéros de version"),
        ({"a": "1", "b": "١"}, 400, "Indiquez deux numéros de version"),
    ],
)
def test_an_out_of_range_or_non_ascii_version_number_in_the_diff_is_a_4xx_with_a_message(
    signed_in, auditor, draft, query, status, message
) -> None:
    draft()
    response = signed_in(auditor).get(reverse("policy:diff"), query)
    assert response.status_code == status
    assert message in response.content.decode()


def test_an_out_of_range_version_number_in_a_back_office_url_is_not_found(
    signed_in, auditor, privacy_lead, draft
) -> None:
    draft()
    assert signed_in(auditor).get(f"/backoffice/policy/v{HUGE}/").status_code == 404
    response = signed_in(privacy_lead).post(f"/backoffice/policy/v{HUGE}/publish/")
    assert response.status_code == 404
    assert PolicyVersion.objects.get().status == Status.DRAFT
