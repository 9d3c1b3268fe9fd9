"""Attack review of issue 14: « Delete the account » pressed twice for a current client
(R19) opens one erasure case, not two cases each writing to the client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vigie.rights.models import Case, ErasurePlan, ErasureStatus

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_deleting_a_current_clients_account_twice_opens_one_case(
    claire, privacy_lead, signed_in
) -> None:
    client = signed_in(privacy_lead)
    url = reverse("cases:person-delete", args=[claire.pk])
    first = client.post(url)
    assert first.status_code == 302
    [case] = Case.objects.filter(person=claire)
    plan = ErasurePlan.objects.get(case=case)
    if plan.status != ErasureStatus.AWAITING_CLIENT:
        pytest.fail("claire must be a current client for this test")
    letters = case.letters.count()
    second = client.post(url)
    assert second.status_code == 302
    assert Case.objects.filter(person=claire).count() == 1
    assert case.letters.count() == letters
    assert second["Location"] == reverse("cases:detail", args=[case.pk])
