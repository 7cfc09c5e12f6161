"""Fail closed (invariant 9): only Allow with no evaluation error grants; anything else refuses."""

import pytest

from iomshare.protocols import cedar
from iomshare.protocols.decisions import RefusalReason, access_grid, forget_grids
from tests.factories import active_protocol

pytestmark = pytest.mark.django_db

ERRORING_PERMIT = '\n@id("broken")\npermit (principal, action, resource) when { principal.clearance == 3 };\n'


@pytest.fixture
def shared(police, practitioner):
    active_protocol()
    assert access_grid(practitioner, "risk_management").allows(police.pk, "offending", 1)
    forget_grids()  # each test then replaces part of Cedar: the grid must be computed again


def test_an_evaluation_error_refuses_even_when_another_clause_permits(
    shared, police, practitioner, monkeypatch
):
    real = cedar.compile_rules
    monkeypatch.setattr(cedar, "compile_rules", lambda rules: real(rules) + ERRORING_PERMIT)
    grid = access_grid(practitioner, "risk_management")
    assert not grid.allows(police.pk, "offending", 1)
    refusal = grid.refusals[(police.pk, "offending")]
    assert refusal.reason == RefusalReason.DECISION_ERROR
    assert "could not be made safely" in refusal.message
    assert any("clearance" in error for error in grid.decision_errors)


def test_policies_that_do_not_parse_refuse_everything(shared, police, probation, practitioner, monkeypatch):
    real = cedar.compile_rules
    monkeypatch.setattr(cedar, "compile_rules", lambda rules: real(rules) + "permit (principal,")
    grid = access_grid(practitioner, "risk_management")
    assert not grid.allows(police.pk, "offending", 1)
    assert grid.refusals[(police.pk, "offending")].reason == RefusalReason.DECISION_ERROR
    assert grid.allows(probation.pk, "offending", 2), "own items do not depend on Cedar"


def test_entities_that_break_the_schema_refuse_everything(shared, police, practitioner, monkeypatch):
    real = cedar.build_entities

    def without_courses(*args):
        entities = real(*args)
        for entity in entities:
            entity["attrs"].pop("current_courses", None)
        return entities

    monkeypatch.setattr(cedar, "build_entities", without_courses)
    grid = access_grid(practitioner, "risk_management")
    assert not grid.allows(police.pk, "offending", 1)
    assert grid.refusals[(police.pk, "offending")].reason == RefusalReason.DECISION_ERROR


def test_a_value_that_cannot_be_compiled_safely_refuses_everything(shared, police, practitioner, monkeypatch):
    real = cedar.clause_policy

    def injected(rule):
        return real(
            rule.__class__(**{**rule.__dict__, "categories": frozenset({'offending"] || true || ["'})})
        )

    monkeypatch.setattr(cedar, "clause_policy", injected)
    grid = access_grid(practitioner, "risk_management")
    assert not grid.allows(police.pk, "offending", 1)
    assert grid.decision_errors


def test_cedar_raising_refuses_everything(shared, police, practitioner, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("engine failure")

    monkeypatch.setattr(cedar.cedarpy, "is_authorized_batch", explode)
    grid = access_grid(practitioner, "risk_management")
    assert not grid.allows(police.pk, "offending", 1)
    assert "engine failure" in grid.decision_errors[0]


def test_an_allow_naming_no_compiled_clause_is_not_trusted(shared, police, practitioner, monkeypatch):
    real = cedar.compile_rules
    monkeypatch.setattr(
        cedar,
        "compile_rules",
        lambda rules: real(rules).replace('@id("protocol:', '@id("other:'),
    )
    assert not access_grid(practitioner, "risk_management").allows(police.pk, "offending", 1)
