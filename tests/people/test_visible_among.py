"""`visible_among` is `people_visible_to` applied to a queryset of people, for every role: staff
get the queryset as it is (no subquery of everyone), everyone else only whom they may see."""

import pytest
from django.contrib.auth.models import AnonymousUser

from people.access import people_visible_to, visible_among
from people.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "role", ["supervisor", "supervisee", "manager", "administrator", "outsider", "other_manager"]
)
def test_visible_among_is_the_people_the_reader_may_see(
    role, request, supervisor, supervisee, other_supervisee, manager, other_manager, outsider
):
    reader = request.getfixturevalue(role)
    UserFactory(name="Nat Noteam")
    people = User.objects.exclude(pk=other_supervisee.pk)
    expected = set(
        people.filter(pk__in=people_visible_to(reader).values("pk")).values_list("pk", flat=True)
    )
    assert set(visible_among(people, reader).values_list("pk", flat=True)) == expected
    if role == "administrator":
        assert expected == set(people.values_list("pk", flat=True))
    else:
        assert outsider.pk not in expected or reader == outsider


def test_nobody_is_visible_to_someone_signed_out(supervisee):
    assert not visible_among(User.objects.all(), AnonymousUser()).exists()
