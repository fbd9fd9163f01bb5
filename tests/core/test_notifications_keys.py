"""Keyed notices (提醒) are written once per recipient, ever, even when two runs race; notices leave
the platform through the configured sender (core.messaging) once the write commits."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.db import connection, transaction

from gaizao.core import messaging
from gaizao.core.models import Notification
from gaizao.core.notifications import notify, recipient_key


def test_a_keyed_notice_is_written_once_per_recipient(cast):
    people = [cast.street_user_a, cast.department_user]
    assert notify(recipients=people, title="任务临期", key="task:1:due3") == 2
    assert notify(recipients=people, title="任务临期", key="task:1:due3") == 0
    assert notify(recipients=[*people, cast.leader], title="任务临期", key="task:1:due3") == 1
    assert Notification.objects.filter(key__startswith="task:1:due3@").count() == 3
    assert Notification.objects.get(recipient=cast.leader).key == recipient_key("task:1:due3", cast.leader)


def test_notices_without_a_key_are_written_every_time(cast):
    notify(recipients=[cast.leader], title="账号已锁定")
    notify(recipients=[cast.leader], title="账号已锁定")
    assert Notification.objects.filter(recipient=cast.leader, key__isnull=True).count() == 2


def test_a_notice_another_run_wrote_first_is_skipped_and_the_rest_stand(cast):
    """The race: between the check and the insert, a concurrent run writes the leader's copy. The
    lost insert is undone to its savepoint; the other recipient's copy and the caller's work stand."""
    key = "task:7:overdue"
    raced = []

    def concurrent_insert(execute, sql, params, many, context):
        if sql.startswith("SAVEPOINT") and not raced:  # just before notify's first insert
            raced.append(True)
            Notification.objects.create(recipient=cast.leader, title="任务逾期", key=recipient_key(key, cast.leader))
        return execute(sql, params, many, context)

    with transaction.atomic():
        with connection.execute_wrapper(concurrent_insert):
            written = notify(recipients=[cast.leader, cast.commander], title="任务逾期", key=key)
        assert raced and written == 1
    assert Notification.objects.filter(key__startswith=f"{key}@").count() == 2


def test_notices_are_e_mailed_when_smtp_is_configured_after_commit(cast, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = "smtp.intranet.example"
    cast.leader.email = "leader@example.gov.cn"
    cast.leader.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[cast.leader, cast.commander], title="任务逾期：土地收储", body="请尽快办结", link="/campaign/tasks/1/",
               key="task:1:overdue")
        assert mail.outbox == []  # nothing leaves before the write commits
    for callback in callbacks:
        callback()
    assert [(m.to, m.subject) for m in mail.outbox] == [(["leader@example.gov.cn"], "任务逾期：土地收储")]
    assert "/campaign/tasks/1/" in mail.outbox[0].body  # the commander has no address: skipped


def test_nothing_is_delivered_when_the_write_rolls_back(cast, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = "smtp.intranet.example"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(recipients=[cast.leader], title="不会发出")
            raise RuntimeError
    assert callbacks == [] and mail.outbox == [] and not Notification.objects.exists()


def test_without_smtp_the_logging_sender_logs(cast, settings, caplog, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = ""
    assert messaging.sender_path() == "gaizao.core.messaging.LoggingSender"
    with caplog.at_level(logging.DEBUG, logger="gaizao.messaging"), django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[cast.leader], title="任务临期")
    assert "任务临期" in caplog.text and "leader" in caplog.text


class _Collecting:
    sent: list = []

    def send(self, recipient, title, body):
        self.sent.append((recipient.username, title))


class _Failing:
    def send(self, recipient, title, body):
        raise ConnectionError("SMTP down")


def test_the_sender_is_chosen_by_its_dotted_path(cast, settings, django_capture_on_commit_callbacks):
    settings.GAIZAO_MESSAGE_SENDER = f"{__name__}._Collecting"
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[cast.leader], title="会议通知")
    assert _Collecting.sent[-1] == ("leader", "会议通知")


def test_a_failing_sender_is_logged_and_the_notice_stands(cast, settings, caplog, django_capture_on_commit_callbacks):
    settings.GAIZAO_MESSAGE_SENDER = f"{__name__}._Failing"
    with caplog.at_level(logging.ERROR, logger="gaizao.messaging"), django_capture_on_commit_callbacks(execute=True):
        assert notify(recipients=[cast.leader], title="任务逾期") == 1
    assert "not delivered" in caplog.text and Notification.objects.filter(recipient=cast.leader).exists()


def test_a_sender_path_that_does_not_import_is_a_clear_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.GAIZAO_MESSAGE_SENDER = "gaizao.nowhere.Sender"
    with pytest.raises(ImproperlyConfigured, match="GAIZAO_MESSAGE_SENDER"):
        messaging.get_sender()
