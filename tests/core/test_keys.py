import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from gaizao.core import crypto
from gaizao.ledger.models import Household, Person

NEW_KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def test_check_passes_with_the_right_key_and_fails_clearly_with_a_wrong_one(cast, capsys):
    call_command("keys", "check", "--all")
    assert "数据密钥正确" in capsys.readouterr().out
    with override_settings(DATA_KEY=NEW_KEY, DATA_KEYS_OLD=[]):
        with pytest.raises(CommandError, match="数据密钥不匹配") as exc:
            call_command("keys", "check")
    assert exc.value.returncode == 2


def test_rotation_reencrypts_everything_and_keeps_lookups_working(cast, capsys):
    old = settings.DATA_KEY
    with override_settings(DATA_KEY=NEW_KEY, DATA_KEYS_OLD=[old]):
        call_command("keys", "rotate")
    with override_settings(DATA_KEY=NEW_KEY, DATA_KEYS_OLD=[]):
        call_command("keys", "check", "--all")  # nothing needs the old key any more
        household = Household.objects.get(head_id_hash=crypto.lookup_hash("11010519491231002X"))
        assert household.pk == cast.household_a1.pk
        assert household.phone == "13812345678"
        assert Person.objects.count() == 0 or all(p.id_number is None or len(p.id_number) == 18 for p in Person.objects.all())
    with pytest.raises(crypto.DataKeyError):
        Household.objects.get(pk=cast.household_a1.pk)  # the old key alone no longer opens it


def test_generate_prints_a_usable_key(capsys):
    call_command("keys", "generate")
    key = capsys.readouterr().out.strip()
    assert len(key) == 32
    crypto.DataKey.from_text(key)
