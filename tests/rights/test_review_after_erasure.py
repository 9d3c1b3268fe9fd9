"""Attack review of issue 14: once the person is erased, the copies of their data made
for earlier requests (the access package, the portability export) are no longer served
through the links already sent (R50, R53, R58)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from vigie.audit.actor import Actor
from vigie.people.models import Person
from vigie.rights import access, access_delivery, erasure, portability
from vigie.rights.access_models import AccessPackage
from vigie.rights.models import ErasureStatus
from vigie.rights.portability_models import PortabilityExport

from .backoffice import open_verified

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _erase(lead: Actor, person: Person) -> None:
    case = open_verified(person, types=["erasure"])
    plan = erasure.propose(lead, case, ["a"])
    plan = erasure.choose(lead, case, plan.proposed, ["a"])
    if plan.status == ErasureStatus.AWAITING_CLIENT:
        erasure.record_client_confirmation(lead, case, "Courrier du 02/03/2026.")
    assert erasure.run(lead, case).status == ErasureStatus.DONE
    person.refresh_from_db()
    assert person.shredded_at is not None


def test_the_access_link_no_longer_serves_an_erased_persons_data(
    claire: Person, privacy_lead, client
) -> None:
    lead = Actor.for_user(privacy_lead)
    case = open_verified(claire, types=["access"])
    package = access.compile_package(lead, case)
    url = reverse("rights:access-package", args=[access_delivery.package_token(package.pk)])
    assert client.post(url, {"format": "json"}).status_code == 200

    _erase(lead, claire)

    after = client.post(url, {"format": "json"})
    assert after.status_code == 410
    assert b"claire" not in after.content.lower()
    package.refresh_from_db()
    package.refresh_from_db()
    assert package.expired  # the sealed copy stays a case file; it is no longer served
    assert not AccessPackage.objects.filter(case=case, expires_at__gt=timezone.now()).exists()


def test_the_portability_link_no_longer_serves_an_erased_persons_data(
    claire: Person, privacy_lead, client
) -> None:
    lead = Actor.for_user(privacy_lead)
    case = open_verified(claire, types=["portability"])
    export = portability.build_export(lead, case)
    link = portability.send_link(lead, export, "dpo@nouveau.example", by="staff")
    url = reverse("rights:portability-receive", args=[portability.link_token(link.pk)])
    assert client.get(url).status_code == 200

    _erase(lead, claire)

    after = client.post(url)
    assert after.status_code == 410
    export.refresh_from_db()
    assert export.deleted_at is not None
    assert bytes(export.json_sealed) == b"" and bytes(export.csv_sealed) == b""
    assert PortabilityExport.objects.filter(case=case, deleted_at__isnull=True).count() == 0


def test_a_person_erased_outside_a_case_gets_no_copy_either(
    claire: Person, privacy_lead, client, cli_actor
) -> None:
    """The sources' erase (the CLI) shreds the person without a case: the links refuse."""
    from vigie.people.services import shred_person

    lead = Actor.for_user(privacy_lead)
    case = open_verified(claire, types=["access", "portability"])
    package = access.compile_package(lead, case)
    export = portability.build_export(lead, case)
    link = portability.send_link(lead, export, "dpo@nouveau.example", by="staff")
    shred_person(cli_actor, claire)
    access_url = reverse("rights:access-package", args=[access_delivery.package_token(package.pk)])
    assert client.post(access_url, {"format": "json"}).status_code == 410
    receive = reverse("rights:portability-receive", args=[portability.link_token(link.pk)])
    assert client.post(receive).status_code == 410
    with pytest.raises(access_delivery.PackageExpired):
        access_delivery.download(lead, package, "json")
