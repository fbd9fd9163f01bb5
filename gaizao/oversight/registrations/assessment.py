"""What the assessment area registers."""


def register() -> None:
    pass
