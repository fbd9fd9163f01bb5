import os
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from gaizao.core import crypto
from gaizao.core.crypto import DataKeyError
from gaizao.ledger.models import Household


def test_sm3_matches_the_standard_test_vector():
    assert crypto.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_sm4_round_trip_and_randomised_ciphertext():
    a = crypto.encrypt("11010519491231002X")
    b = crypto.encrypt("11010519491231002X")
    assert a != b  # fresh IV each time
    assert crypto.decrypt(a) == crypto.decrypt(b) == "11010519491231002X"


def test_tampered_ciphertext_is_refused_not_returned_as_garbage():
    blob = bytearray(crypto.encrypt("13812345678"))
    blob[20] ^= 0x01
    with pytest.raises(DataKeyError, match="篡改或密钥错误"):
        crypto.decrypt(bytes(blob))


def test_data_from_another_key_gives_a_clear_error():
    blob = crypto.encrypt("13812345678")
    with override_settings(DATA_KEY="ffeeddccbbaa99887766554433221100", DATA_KEYS_OLD=[]):
        with pytest.raises(DataKeyError, match="数据密钥不匹配"):
            crypto.decrypt(blob)


def test_old_key_listed_for_rotation_still_opens_data():
    blob = crypto.encrypt("13812345678")
    from django.conf import settings

    with override_settings(DATA_KEY="ffeeddccbbaa99887766554433221100", DATA_KEYS_OLD=[settings.DATA_KEY]):
        assert crypto.decrypt(blob) == "13812345678"


@pytest.mark.parametrize("bad, message", [
    ("", "未设置"),
    ("abc", "32 位十六进制"),
    ("zz" * 16, "32 位十六进制"),
])
def test_missing_or_malformed_data_key_is_a_clear_start_up_error(bad, message):
    with override_settings(DATA_KEY=bad):
        with pytest.raises(DataKeyError, match=message):
            crypto.encrypt("x")


def test_lookup_hash_is_keyed_and_stable():
    h1 = crypto.lookup_hash("11010519491231002X")
    assert h1 == crypto.lookup_hash("11010519491231002X")
    assert h1 != crypto.sm3_hex(b"11010519491231002X")  # keyed, not a bare hash
    with override_settings(DATA_KEY="ffeeddccbbaa99887766554433221100"):
        assert crypto.lookup_hash("11010519491231002X") != h1


def test_batch_encryption_and_hashes_are_the_single_value_format():
    texts = ["11010519491231002X", "", "13812345678", None, "张三"]
    blobs = crypto.encrypt_many(texts)
    assert [crypto.decrypt(b) if b is not None else None for b in blobs] == [
        "11010519491231002X", None, "13812345678", None, "张三"]  # empty is stored as NULL, as the field does
    assert blobs[0] != crypto.encrypt_many(texts[:1])[0]  # fresh IV each time
    assert crypto.lookup_hash_many(texts) == [
        crypto.lookup_hash("11010519491231002X"), None, crypto.lookup_hash("13812345678"), None,
        crypto.lookup_hash("张三")]


@pytest.mark.parametrize("threshold, in_background", [(1, True), (10**9, False)])
def test_a_worker_process_encrypts_and_hashes_as_this_process_does(monkeypatch, threshold, in_background):
    from gaizao.core import sealing

    monkeypatch.setattr(sealing, "MIN_BACKGROUND_VALUES", threshold)
    texts = ["11010519491231002X", "", "13812345678", None, "张三"]
    job = crypto.background(encrypt=[texts, texts[:2]], hash=[texts])
    assert job.in_background is in_background
    (blobs, short), (hashes,) = job.result()
    assert [crypto.decrypt(b) if b is not None else None for b in blobs] == [
        "11010519491231002X", None, "13812345678", None, "张三"]
    assert len(short) == 2 and crypto.decrypt(short[0]) == "11010519491231002X"
    assert crypto.key_id_of(blobs[0]) == crypto.keyring().current.key_id
    assert hashes == crypto.lookup_hash_many(texts)


@pytest.mark.parametrize("executable, started", [
    ("/bin/false", True),  # a real process that exits at once with status 1
    ("/nonexistent/python", False),  # no process can be started at all
])
def test_a_worker_that_fails_leaves_the_work_to_this_process(monkeypatch, executable, started):
    import sys

    from gaizao.core import sealing

    monkeypatch.setattr(sealing, "MIN_BACKGROUND_VALUES", 1)
    monkeypatch.setattr(sys, "executable", executable)
    job = crypto.background(encrypt=[["13812345678"]], hash=[["13812345678"]])
    assert job.in_background is started
    ([blob],), ([digest],) = job.result()
    assert crypto.decrypt(blob) == "13812345678" and digest == crypto.lookup_hash("13812345678")
    assert not job.in_background


def test_personal_numbers_are_encrypted_at_rest_and_found_by_hash(cast):
    with connection.cursor() as cursor:
        cursor.execute("SELECT head_id_number, phone FROM ledger_household WHERE id = %s", [cast.household_a1.pk])
        raw_id, raw_phone = cursor.fetchone()
    assert b"11010519491231002X" not in bytes(raw_id)
    assert b"13812345678" not in bytes(raw_phone)
    found = Household.objects.get(head_id_hash=crypto.lookup_hash("11010519491231002X"))
    assert found.pk == cast.household_a1.pk
    assert found.head_id_number == "11010519491231002X"
    assert found.phone == "13812345678"


def test_encrypted_column_cannot_be_queried_by_content(cast):
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError, match="加密字段"):
        Household.objects.filter(head_id_number="11010519491231002X").count()


def test_the_worker_gets_no_secret_from_the_environment(monkeypatch):
    from gaizao.core import sealing

    monkeypatch.setenv("GAIZAO_DATA_KEY", "5a1f0c3e9b7d2a4c6e8f0a1b3c5d7e9f")
    monkeypatch.setenv("GAIZAO_DATABASE_URL", "postgresql://app:secret@db/gaizao")
    env = sealing.worker_environment()
    assert not [name for name in env if name.startswith("GAIZAO_")]
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(Path(sealing.__file__).resolve().parents[2])


def test_a_worker_whose_result_is_not_wanted_is_stopped():
    from gaizao.core import sealing

    values = [f"1381234{i:04d}" for i in range(sealing.MIN_BACKGROUND_VALUES)]
    job = crypto.background(encrypt=[values])
    assert job.in_background and job.running  # just started: it cannot have encrypted 20,000 values yet
    job.close()
    assert not job.running
    job.close()  # twice is harmless


@pytest.mark.parametrize("threshold, in_background", [(1, True), (10**9, False)])
def test_a_job_in_parts_answers_each_part_as_this_process_would(monkeypatch, threshold, in_background):
    from gaizao.core import sealing

    monkeypatch.setattr(sealing, "MIN_BACKGROUND_VALUES", threshold)
    ids, phones = ["11010519491231002X", "44010619800101001X"], ["13812345678"]
    job = crypto.background(parts=[((), (ids,)), ((ids, phones), (phones,))])
    assert job.in_background is in_background
    assert job.result(0) == ([], [crypto.lookup_hash_many(ids)])  # the hashes first, on their own
    (blobs, phone_blobs), (phone_hashes,) = job.result(1)
    assert [crypto.decrypt(b) for b in blobs] == ids and crypto.decrypt(phone_blobs[0]) == "13812345678"
    assert phone_hashes == [crypto.lookup_hash("13812345678")]
    assert job.result() == job.result(1) and not job.running


def test_a_worker_that_dies_after_the_first_part_leaves_the_second_to_this_process(monkeypatch):
    from gaizao.core import sealing

    monkeypatch.setattr(sealing, "MIN_BACKGROUND_VALUES", 1)
    ids = [f"1381234{i:04d}" for i in range(3)]
    job = crypto.background(parts=[((), (ids,)), ((ids,), ())])
    assert job.result(0) == ([], [crypto.lookup_hash_many(ids)])
    job._process.kill()  # out of memory, say, while it encrypts
    (blobs,), () = job.result(1)
    assert [crypto.decrypt(b) for b in blobs] == ids and not job.in_background


def test_a_job_dropped_unread_does_not_leave_its_worker_behind(monkeypatch):
    import gc

    from gaizao.core import sealing

    values = [f"1381234{i:04d}" for i in range(sealing.MIN_BACKGROUND_VALUES)]
    job = crypto.background(parts=[((), (values,)), ((values,), ())])
    process = job._process
    job.result(0)  # the import stopped after its check: the ciphertexts are never read
    del job
    gc.collect()
    assert process.wait(timeout=10) != 0  # stopped, not left blocked on a full pipe


def _cpu_ticks(pid: int) -> int:
    """A process's CPU time so far (user + system, in clock ticks), from Linux's /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _settled(pid: int) -> int:
    """The process's CPU time once it stops growing (it waits: on a pipe, here)."""
    import time

    last, deadline = -1, time.monotonic() + 60
    while time.monotonic() < deadline:
        ticks = _cpu_ticks(pid)
        if ticks == last:
            return ticks
        last = ticks
        time.sleep(0.5)
    raise AssertionError("the worker never stopped working")


def test_the_worker_computes_the_next_part_while_the_one_before_is_unread():
    """A pipe holds 64 KB: a worker writing its first answer itself would wait for the caller to read
    it (the import reads it only when its plan starts) before encrypting the second part."""
    from gaizao.core import sealing

    values = [f"1381234{i:05d}" for i in range(3 * sealing.MIN_BACKGROUND_VALUES)]
    job = crypto.background(parts=[((), (values,)), ((values,), ())])
    assert job.in_background
    before = _settled(job._process.pid)  # both parts computed, or only the first (and waiting to send it)
    assert job.result(0) == ([], [crypto.lookup_hash_many(values)])
    after = _settled(job._process.pid)  # reading the first answer let it go on: with what?
    # Only sending what it had computed, not encrypting 60,000 values (most of its work).
    assert after - before < max(before // 4, 3)
    (blobs,), () = job.result(1)
    assert crypto.decrypt(blobs[-1]) == values[-1]


def test_the_answers_pipe_holds_a_megabyte():
    """Linux gives a pipe 64 KB: a large answer then crosses in hundreds of pieces, each read when the
    import's inserting thread lets go of the GIL."""
    import fcntl

    from gaizao.core import sealing

    values = [f"1381234{i:05d}" for i in range(sealing.MIN_BACKGROUND_VALUES)]
    job = crypto.background(encrypt=[values])
    assert fcntl.fcntl(job._process.stdout.fileno(), getattr(fcntl, "F_GETPIPE_SZ", 1032)) == sealing.PIPE_BYTES
    job.close()


def test_a_long_answer_crosses_the_pipe_packed_and_reads_as_the_list():
    import pickle

    from gaizao.core import sealing

    hashes = [f"{i:064x}" if i % 7 else None for i in range(sealing.PACK_MIN)]
    blobs = [bytes([i % 256]) * (i % 5 + 1) for i in range(sealing.PACK_MIN)]
    for values in (hashes, blobs):
        packed = pickle.loads(pickle.dumps(sealing.Packed.of(values), protocol=pickle.HIGHEST_PROTOCOL))
        assert isinstance(packed, sealing.Packed) and len(packed) == len(values)
        assert list(packed) == values and packed == values and list(zip(packed, values)) == list(zip(values, values))
        assert (packed[0], packed[6], packed[7], packed[-1], packed[-2:]) == (
            values[0], values[6], values[7], values[-1], values[-2:])
    assert sealing.Packed.of(hashes[:10]) is not None and isinstance(sealing.Packed.of(hashes[:10]), list)  # short
    assert isinstance(sealing.Packed.of([b"a", "b"] * sealing.PACK_MIN), list)  # mixed kinds stay a list


def test_the_workers_long_answers_are_packed(monkeypatch):
    from gaizao.core import sealing

    values = [f"1381234{i:05d}" for i in range(sealing.MIN_BACKGROUND_VALUES)]
    job = crypto.background(encrypt=[values], hash=[values])
    (blobs,), (digests,) = job.result()
    assert job.in_background and isinstance(blobs, sealing.Packed) and isinstance(digests, sealing.Packed)
    assert crypto.decrypt(blobs[123]) == values[123] and digests[-1] == crypto.lookup_hash(values[-1])
