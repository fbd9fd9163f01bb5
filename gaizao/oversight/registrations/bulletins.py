"""What the bulletins area registers."""


def register() -> None:
    pass
