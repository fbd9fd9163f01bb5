"""What the compensation app adds to the registries (called from CompensationConfig.ready()), one module per area."""

from gaizao.compensation.registrations import agreements, calculations, changes, publicity, schemes, valuations


def register() -> None:
    schemes.register()
    calculations.register()
    valuations.register()
    publicity.register()
    changes.register()
    agreements.register()
