"""Fixtures the progress tests share (used by name: some tests tamper with rollups on purpose)."""

import pytest

from gaizao.progress import rollups


@pytest.fixture
def media(settings, tmp_path):
    """Attachments go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def rollups_stay_correct(db):
    """After the scenario, the stored rollups and household stages equal a recount from events."""
    yield
    result = rollups.verify()
    assert result.ok, result.mismatch
