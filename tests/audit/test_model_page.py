"""The model on the page: definitions where people tag, and a page that explains the flags."""

from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditPolicy
from core.vocabulary import (
    FUNCTION_DEFINITIONS,
    FUNCTIONS,
    STAGE_DEFINITIONS,
    STAGES,
    STAKEHOLDER_DEFINITIONS,
    STAKEHOLDERS,
    model_layers,
)
from sessions_app.forms import ItemForm

pytestmark = pytest.mark.django_db


def test_every_element_of_the_model_has_a_definition():
    assert set(FUNCTION_DEFINITIONS) == set(FUNCTIONS)
    assert set(STAGE_DEFINITIONS) == set(STAGES)
    assert set(STAKEHOLDER_DEFINITIONS) == set(STAKEHOLDERS)
    ids = [e["id"] for layer in model_layers() for e in layer["elements"]]
    assert len(ids) == len(set(ids)) == 12


def test_each_tagging_box_is_described_by_its_definition():
    html = str(ItemForm(prefix="items-0")["stages"])
    assert 'value="reflection"' in html
    assert 'aria-describedby="def-stage-reflection"' in html


def test_the_recording_page_holds_the_definitions_its_boxes_point_to(login, supervisor, supervisee):
    body = login(supervisor).get(reverse("sessions:new")).content.decode()
    for layer in model_layers():
        for element in layer["elements"]:
            assert f'id="{element["id"]}"' in body
            assert element["definition"] in body
    assert reverse("audit:model") in body


def test_the_model_page_reads_the_limits_of_the_policy_in_force(login, supervisee):
    policy = AuditPolicy.current()
    policy.dominance_threshold = Decimal("0.6")
    policy.neglect_threshold = Decimal("0.125")
    policy.min_sessions = 3
    policy.save()
    body = login(supervisee).get(reverse("audit:model")).content.decode()
    assert "Management took more than 60% of the tagged minutes" in body
    assert "less than 12.5% of the tagged minutes" in body
    assert "at least 3 sessions held" in body
    assert "Off: the policy sets no limit for it." in body
    assert FUNCTION_DEFINITIONS["mediation"] in body


def test_the_model_page_is_linked_from_every_page(login, supervisee):
    body = login(supervisee).get(reverse("home")).content.decode()
    assert f'href="{reverse("audit:model")}"' in body


def test_choosing_a_function_elsewhere_says_what_each_means(login, supervisor, supervisee):
    relationship = supervisor.supervisee_relationships.get()
    pages = [
        (supervisor, reverse("people:focus", args=[relationship.pk]), "id_functions"),
        (supervisee, reverse("people:raise_request", args=[relationship.pk]), "id_function"),
        (supervisor, reverse("audit:self_assessment"), "id_focus_most"),
    ]
    for user, url, field_id in pages:
        body = login(user).get(url).content.decode()
        assert f'aria-describedby="{field_id}_helptext"' in body, url
        assert FUNCTION_DEFINITIONS["support"] in body, url
