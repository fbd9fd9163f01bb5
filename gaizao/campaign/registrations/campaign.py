"""What the campaign area registers: menu items, home cards, panels, periodic work."""


def register() -> None:
    pass
