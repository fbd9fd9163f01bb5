"""What the tasks area registers: menu items, home cards, panels, periodic work."""


def register() -> None:
    pass
