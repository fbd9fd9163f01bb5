"""What the records area registers."""


def register() -> None:
    pass
