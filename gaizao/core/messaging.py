"""Messages outside the platform (站外消息): the one interface a notice leaves through.

A notice is always written inside the platform (``core.notifications``); when an operator chooses a
sender, it is also handed to it after the write commits:

    class Sender(Protocol):
        def send(self, recipient, title: str, body: str) -> None: ...

``GAIZAO_MESSAGE_SENDER`` is the dotted path of the class to use. Left empty, the platform uses
``EmailSender`` when an SMTP server is configured (``GAIZAO_EMAIL_HOST``) and ``LoggingSender``
otherwise. A district whose staff read SMS or a government messaging app (政务微信, 浙政钉 …) writes
a class with that one method and names it here; nothing else changes. A sender that fails is
logged and never undoes the write that notified (the notice stays in the platform).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger("gaizao.messaging")


@runtime_checkable
class Sender(Protocol):
    """Delivers one message to one user outside the platform."""

    def send(self, recipient, title: str, body: str) -> None: ...


class LoggingSender:
    """Writes each message to the log (``gaizao.messaging``, DEBUG): the default without SMTP, where
    the notice in the platform is the message."""

    def send(self, recipient, title: str, body: str) -> None:
        logger.debug("message to %s: %s", getattr(recipient, "username", recipient), title)


class EmailSender:
    """Sends each message as an e-mail through Django's SMTP settings (``EMAIL_*``); a user
    without an e-mail address is skipped (logged)."""

    def send(self, recipient, title: str, body: str) -> None:
        from django.core.mail import send_mail

        address = (getattr(recipient, "email", "") or "").strip()
        if not address:
            logger.info("no e-mail address for %s: %s", getattr(recipient, "username", recipient), title)
            return
        send_mail(subject=title, message=body or title, from_email=settings.DEFAULT_FROM_EMAIL,
                  recipient_list=[address], fail_silently=False)


def sender_path() -> str:
    """The dotted path of the sender in use (the setting, else by whether SMTP is configured)."""
    chosen = (getattr(settings, "GAIZAO_MESSAGE_SENDER", "") or "").strip()
    if chosen:
        return chosen
    if getattr(settings, "EMAIL_HOST", ""):
        return "gaizao.core.messaging.EmailSender"
    return "gaizao.core.messaging.LoggingSender"


@lru_cache(maxsize=8)
def _sender(path: str) -> Sender:
    try:
        sender = import_string(path)()
    except ImportError as exc:
        raise ImproperlyConfigured(f"GAIZAO_MESSAGE_SENDER={path!r} 无法导入：{exc}") from None
    if not isinstance(sender, Sender):
        raise ImproperlyConfigured(f"GAIZAO_MESSAGE_SENDER={path!r} 没有 send(recipient, title, body) 方法。")
    return sender


def get_sender() -> Sender:
    return _sender(sender_path())


def deliver(messages) -> int:
    """Hand (recipient, title, body) triples to the sender; returns how many it took. Each failure
    is logged and the others still go: a notice already stands in the platform."""
    sender = get_sender()
    sent = 0
    for recipient, title, body in messages:
        try:
            sender.send(recipient, title, body)
        except Exception:  # noqa: BLE001 — a mail server down must not break the write that notified
            logger.exception("message to %s not delivered: %s", getattr(recipient, "username", recipient), title)
        else:
            sent += 1
    return sent
