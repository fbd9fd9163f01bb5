"""A new app adds itself by registering: its menu item, its household panel and its ledger hook
appear and fire, and nothing outside its folder names it (the contract docs/architecture.md states)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from gaizao.core import registry
from gaizao.ledger import services
from gaizao.ledger.hooks import households_changed
from gaizao.ledger.importing.engine import ledger_import_apply, ledger_import_preview
from tests.ledger.importing.conftest import ledger_file, three_households  # noqa: F401  (fixture)
from tests.registry_app import apps as registry_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def installed():
    registry_app.RECEIVED.clear()
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, "tests.registry_app"]):
        yield registry_app.RECEIVED
    # The registries are module-wide: take the test app out again for the tests after this one.
    registry.menu.unregister("registry_app.menu")
    registry.panels.unregister("registry_app.panel")
    households_changed.disconnect("registry_app.hook")


def test_its_menu_item_shows_for_its_role_only(installed, cast, login_as):
    assert "登记测试菜单" in login_as(cast.street_user_a).get("/").content.decode()
    assert "登记测试菜单" not in login_as(cast.cadre).get("/").content.decode()


def test_its_panel_shows_on_the_household_page(installed, cast, login_as):
    html = login_as(cast.street_user_a).get(f"/ledger/households/{cast.household_a1.pk}/").content.decode()
    assert 'data-testid="registry-app-panel"' in html and "登记测试面板 DH-001" in html


def test_its_hook_fires_with_the_households_of_a_write(cast, installed):
    household = services.household_create(actor=cast.street_user_a, project=cast.project_a, number="DH-900",
                                          head_name="王五")
    assert [list(change.created) for change in installed] == [[household.pk]]


def test_its_hook_fires_once_with_every_household_of_an_import(cast, installed, ledger_file):  # noqa: F811
    plan = ledger_import_preview(actor=cast.street_user_a, project_code="P001", path=ledger_file(three_households()))
    ledger_import_apply(actor=cast.street_user_a, plan=plan)
    assert len(installed) == 1
    assert len(installed[0].created) == 3


def test_without_it_nothing_of_it_remains(cast, login_as):
    html = login_as(cast.street_user_a).get(f"/ledger/households/{cast.household_a1.pk}/").content.decode()
    assert "登记测试面板" not in html and "登记测试菜单" not in html
