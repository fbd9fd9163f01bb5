"""What the orders area registers."""


def register() -> None:
    pass
