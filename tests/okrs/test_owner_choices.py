"""Only editors and admins are offered as owners: a viewer could not check in on what they own."""

import pytest
from django.urls import reverse

from tests.okrs.factories import CycleFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def test_key_result_and_objective_forms_offer_editors_and_admins_only(client, admin_a, editor_a, viewer_a):
    objective = ObjectiveFactory(cycle=CycleFactory(organization=admin_a.organization), owner=editor_a.user)
    client.force_login(editor_a.user)
    for url in (
        reverse("okrs:key-result-create", args=[objective.pk]),
        reverse("okrs:objective-update", args=[objective.pk]),
    ):
        owners = {str(pk) for pk, _label in client.get(url).context["form"].fields["owner"].choices if pk}
        assert owners == {str(admin_a.user.pk), str(editor_a.user.pk)}
