"""Helpers for the ledger tests: valid citizen IDs and households made through the services."""

from __future__ import annotations

import pytest

from gaizao.core.validators import id_check_char
from gaizao.ledger import services as ledger_services

ROLES = ("admin", "commander", "leader", "street_user_a", "street_user_b", "department_user",
         "cadre", "resident", "outsider", "auditor", "security")
NUMBERS = {"household_a1": "DH-001", "household_a2": "DH-002", "household_b1": "XL-001"}
# Which of the cast's households each role reads (the scope matrix).
VISIBLE = {
    "admin": {"household_a1", "household_a2", "household_b1"},
    "commander": {"household_a1", "household_a2", "household_b1"},
    "leader": {"household_a1", "household_a2", "household_b1"},
    "street_user_a": {"household_a1", "household_a2"},
    "street_user_b": {"household_b1"},
    "department_user": set(),
    "cadre": {"household_a1"},
    "resident": {"household_a2"},
    "outsider": set(),
    "auditor": set(),
    "security": set(),
}
VILLAGES = {
    "admin": {"village_a", "village_b"},
    "commander": {"village_a", "village_b"},
    "leader": {"village_a", "village_b"},
    "street_user_a": {"village_a"},
    "street_user_b": {"village_b"},
}


def citizen_id(seq: int, *, region: str = "110105", birth: str = "19800101") -> str:
    first17 = f"{region}{birth}{seq % 1000:03d}"
    return first17 + id_check_char(first17)


def make_households(actor, project, count: int, *, prefix: str = "T") -> list:
    return [
        ledger_services.household_create(
            actor=actor, project=project, number=f"{prefix}-{i:04d}", head_name=f"测试{i}",
            head_id_number=citizen_id(i), phone=f"1390000{i:04d}",
        )
        for i in range(count)
    ]


@pytest.fixture
def make(cast):
    """``make(n)``: n more households in street A's project, created by the admin."""

    def _make(count: int, *, project=None, prefix: str = "T"):
        return make_households(cast.admin, project or cast.project_a, count, prefix=prefix)

    return _make


# Who may change which of the cast's objects (the write scope): the rest get 404 on edit pages and
# write endpoints, including the roles that read the object (leader, cadre, resident).
WRITERS = {
    "street_a": {"admin", "commander", "street_user_a"},
    "street_b": {"admin", "commander", "street_user_b"},
}


def form_data(response) -> dict:
    """The values of the form a page shows, as a browser would submit them unchanged."""
    from django import forms

    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        if isinstance(field, (forms.FileField, forms.BooleanField)):
            continue
        value = form[name].value()
        if value is None:
            continue
        data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


@pytest.fixture
def client_factory(db):
    """Another signed-in browser: ``client_factory(user)`` (for two people editing at once)."""
    from django.test import Client

    from tests.conftest import login

    def _client(user):
        client = Client()
        login(client, user)
        return client

    return _client


@pytest.fixture
def sync_jobs(monkeypatch):
    """Run each import job step at once, in the request's thread and transaction."""
    from gaizao.ledger.importing import jobs

    monkeypatch.setattr(jobs, "start", lambda job_id, runner: runner(job_id))
