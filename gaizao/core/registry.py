"""Registries (登记表): how an app adds itself to pages and writes it does not own.

A lower floor never imports a higher one (docs/architecture.md, the import-linter contract in
pyproject.toml). So the menu, the home page, the panels on the ledger's detail pages and the
reactions to ledger writes are lists here that each app fills in its ``AppConfig.ready()``; the
page that shows them (``gaizao.portal``, the ledger's templates through ``{% panels %}``) or the
write that fires them (``gaizao.ledger.hooks``) only reads the list.

Each registry keeps its entries sorted by ``order`` and refuses a second entry under one name, so
an app that is loaded twice (a test's settings override) does not show its menu item twice.
Audit action labels have their registry beside the audit chain (``core.audit.register_action_labels``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.utils.translation import gettext_lazy

from django.db import transaction

T = TypeVar("T")


class Registry(Generic[T]):
    """Named entries, read in ``order``; registering a name again replaces its entry."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._entries: dict[str, T] = {}

    def register(self, entry: T) -> T:
        self._entries[entry.name] = entry
        return entry

    def unregister(self, name: str) -> None:
        self._entries.pop(name, None)

    def __iter__(self) -> Iterator[T]:
        return iter(sorted(self._entries.values(), key=lambda e: (e.order, e.name)))

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def __repr__(self) -> str:
        return f"<Registry {self.what}: {', '.join(self._entries)}>"


# ------------------------------------------------------------------------------------------ menu

@dataclass(frozen=True)
class MenuItem:
    """An entry of the navigation menu (导航菜单), shown to the users who hold one of ``roles``.

    Items of one ``group`` (a key of ``MENU_GROUPS``) fold into one drop-down at the place of the
    group's first item; a group a user sees one item of shows that item alone.
    """

    name: str
    label: Any  # a lazy gettext string
    url_name: str
    roles: tuple[str, ...]
    order: int = 100
    group: str = ""


# The drop-downs of the menu: key → label (the apps name the key; the bar stays one line).
MENU_GROUPS: dict[str, Any] = {
    "campaign": gettext_lazy("攻坚行动"),
    "oversight": gettext_lazy("督查考核"),
    "progress": gettext_lazy("进度"),
    "ledger": gettext_lazy("台账"),
    "system": gettext_lazy("系统"),
}

menu: Registry[MenuItem] = Registry("menu items")


# ------------------------------------------------------------------------------------- home page

@dataclass(frozen=True)
class HomeCard:
    """A card on the home page (工作台).

    ``context(user)`` returns the template's context, or None when the card has nothing for this
    user. Cards that share a ``slot`` stand for one another: the first (by order) that answers is
    shown and the others are not asked (the dashboard's rollup figures stand in for the ledger's
    counts, and the ledger's count queries are then never run).

    ``section``: ``"todo"`` cards (what waits for this person: 待办) come first on the page, then
    the ``"figures"`` cards (the few figures that matter to the role).
    """

    name: str
    template: str
    context: Callable[[Any], dict | None]
    order: int = 100
    slot: str = ""
    section: str = "figures"


TODO, FIGURES = "todo", "figures"


home_cards: Registry[HomeCard] = Registry("home cards")


# ------------------------------------------------------------------ panels on the ledger's pages

PANEL_PAGES = ("household", "village", "project")


@dataclass(frozen=True)
class Panel:
    """A panel (面板) on a detail page of the ledger: ``page`` is one of PANEL_PAGES.

    ``context(template_context, obj)`` returns the panel template's context, or None to show
    nothing; it reads the page's context (request, forms sent back) as an inclusion tag would.
    """

    name: str
    page: str
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100

    def __post_init__(self) -> None:
        if self.page not in PANEL_PAGES:
            raise ValueError(f"panel {self.name}: page {self.page!r} is not one of {PANEL_PAGES}")


panels: Registry[Panel] = Registry("panels")


def panels_for(page: str) -> list[Panel]:
    return [panel for panel in panels if panel.page == page]


# A form an app's POST sends back to its own panel, on the lower app's page shown again
# (``core.editing.page_again``): the page's view knows nothing of it, the panel finds it here.
_SENT_BACK = "panels_sent_back"


def panel_send_back(request, name: str, data: dict) -> None:
    """Hand panel ``name`` what its app's POST sent back (a bound form with its error)."""
    setattr(request, _SENT_BACK, {**getattr(request, _SENT_BACK, {}), name: data})


def panel_sent_back(context, name: str) -> dict:
    """What was sent back to panel ``name`` for this request, read by the panel's context callable ({} if nothing)."""
    return getattr(context.get("request"), _SENT_BACK, {}).get(name, {})


# ------------------------------------------------------------------------------------------ hooks

@dataclass(frozen=True)
class Receiver:
    name: str
    func: Callable[..., None]
    order: int = 100


class Hook:
    """A point in a lower app's write where upper apps react (a write hook, 写入钩子).

    Unlike a Django signal, it runs only inside the writer's transaction (what a receiver writes
    commits or rolls back with the write), receivers run in ``order``, and an error in one is the
    write's error, not swallowed.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.receivers: Registry[Receiver] = Registry(f"receivers of {name}")

    def connect(self, func: Callable[..., None], *, name: str, order: int = 100) -> None:
        self.receivers.register(Receiver(name=name, func=func, order=order))

    def disconnect(self, name: str) -> None:
        self.receivers.unregister(name)

    def fire(self, **payload) -> None:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError(f"{self.name} fires inside the writer's transaction")
        for receiver in self.receivers:
            receiver.func(**payload)


def names(entries: Iterable) -> list[str]:
    """The names of a registry's entries in order (for tests and the architecture doc's checks)."""
    return [entry.name for entry in entries]
