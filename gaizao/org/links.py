"""What an account can be linked to when it is created (账号关联), offered by the apps above org.

org sits below the ledger (docs/architecture.md, "Floors"): it cannot name a household. An upper
app registers an ``AccountLink`` in its ``AppConfig.ready()`` and ``gaizao user create`` offers
it as an option (the ledger's ``--household 项目编码/户号``). ``find`` reads the option's value
before the account exists (a bad value stops the command before the password prompt); ``link``
runs in the account's transaction, so a refusal there leaves no account behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gaizao.core.registry import Registry


@dataclass(frozen=True)
class AccountLink:
    name: str
    option: str            # the command's option, "--household"
    metavar: str
    help: Any              # a lazy gettext string
    find: Callable[[str], Any]          # the value's target, or AppError with a Chinese message
    link: Callable[..., str]            # link(actor=, user=, target=) -> the line the command prints
    order: int = 100

    @property
    def dest(self) -> str:
        return "link_" + self.option.lstrip("-").replace("-", "_")


account_links: Registry[AccountLink] = Registry("account links")
