"""What the inspections area registers."""


def register() -> None:
    pass
