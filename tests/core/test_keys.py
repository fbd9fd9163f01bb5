import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from gaizao.core import crypto, keys
from gaizao.core.fields import EncryptedTextField
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Household, Person

NEW_KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
# Household members (家庭成员) with ID numbers: their column is rotated like the heads'.
MEMBER_IDS = {"李配偶": "110105198001010016", "张子女": "110105201003010022"}


@pytest.fixture
def members(cast):
    return [ledger_services.person_add(actor=cast.admin, household=cast.household_a1, name=name,
                                       relation="spouse" if name == "李配偶" else "child", id_number=id_number)
            for name, id_number in MEMBER_IDS.items()]


def stored_key_ids(model, name: str) -> set[bytes]:
    """The key id of each stored value of an encrypted column, read without decrypting."""
    column = model._meta.get_field(name)
    assert isinstance(column, EncryptedTextField)
    return {crypto.key_id_of(blob) for blob in keys._raw_values(model, column, limit=None)}


def test_check_passes_with_the_right_key_and_fails_clearly_with_a_wrong_one(cast, capsys):
    call_command("keys", "check", "--all")
    assert "数据密钥正确" in capsys.readouterr().out
    with override_settings(DATA_KEY=NEW_KEY, DATA_KEYS_OLD=[]):
        with pytest.raises(CommandError, match="数据密钥不匹配") as exc:
            call_command("keys", "check")
    assert exc.value.returncode == 2


def test_rotation_reencrypts_everything_and_keeps_lookups_working(cast, members, capsys):
    old = settings.DATA_KEY
    old_id = crypto.DataKey.from_text(old).key_id
    assert stored_key_ids(Person, "id_number") == {old_id}
    with override_settings(DATA_KEY=NEW_KEY, DATA_KEYS_OLD=[old]):
        call_command("keys", "rotate")
    new_id = crypto.DataKey.from_text(NEW_KEY).key_id
    assert stored_key_ids(Household, "head_id_number") == {new_id}
    assert stored_key_ids(Person, "id_number") == {new_id}
    with override_settings(DATA_KEY=NEW_KEY, DATA_KEYS_OLD=[]):
        call_command("keys", "check", "--all")  # nothing needs the old key any more
        household = Household.objects.get(head_id_hash=crypto.lookup_hash("11010519491231002X"))
        assert household.pk == cast.household_a1.pk
        assert household.phone == "13812345678"
        for name, id_number in MEMBER_IDS.items():
            member = Person.objects.get(id_hash=crypto.lookup_hash(id_number))  # the hash was recomputed too
            assert (member.name, member.id_number, member.household_id) == (name, id_number, cast.household_a1.pk)
    with pytest.raises(crypto.DataKeyError):
        Household.objects.get(pk=cast.household_a1.pk)  # the old key alone no longer opens it
    with pytest.raises(crypto.DataKeyError):
        Person.objects.get(pk=members[0].pk)


def test_generate_prints_a_usable_key(capsys):
    call_command("keys", "generate")
    key = capsys.readouterr().out.strip()
    assert len(key) == 32
    crypto.DataKey.from_text(key)
