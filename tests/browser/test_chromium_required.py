"""Without Chromium the browser tests fail with a message saying what to install; they never skip."""

import pytest

from tests.browser import conftest


def test_a_missing_chromium_fails_the_browser_tests_by_name(monkeypatch, tmp_path):
    monkeypatch.setattr(conftest, "CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y chromium"):
        conftest.chromium()


def test_the_configured_chromium_is_the_one_driven(monkeypatch, tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("")
    monkeypatch.setattr(conftest, "CHROMIUM", str(fake))
    assert conftest.chromium() == str(fake)
