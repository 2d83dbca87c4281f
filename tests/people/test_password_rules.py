"""Password rules (issue "Trust", logins): at least 12 characters, no common passwords."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return UserFactory(email="pat@example.org", name="Pat Practitioner")


def test_eleven_characters_are_too_few(person):
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("kq7-vb2-zt9", person)


def test_twelve_uncommon_characters_are_enough(person):
    validate_password("kq7-vb2-zt9x", person)


@pytest.mark.parametrize("password", ["password1234", "qwertyuiop123"])
def test_common_passwords_are_refused_however_long(person, password):
    with pytest.raises(ValidationError, match="too common"):
        validate_password(password, person)


def test_a_password_like_the_persons_name_is_refused(person):
    with pytest.raises(ValidationError, match="too similar"):
        validate_password("patpractitioner", person)
