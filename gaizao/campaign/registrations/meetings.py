"""What the meetings area registers: menu items, home cards, panels, periodic work."""


def register() -> None:
    pass
