"""What the oversight app adds to the registries (called from OversightConfig.ready()), one module per area."""

from gaizao.oversight.registrations import assessment, bulletins, inspections, orders, records


def register() -> None:
    orders.register()
    inspections.register()
    assessment.register()
    records.register()
    bulletins.register()
