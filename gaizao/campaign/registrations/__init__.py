"""What the campaign app adds to the pages below it (called from CampaignConfig.ready()), one module per area."""

from gaizao.campaign.registrations import campaign, meetings, reports, tasks


def register() -> None:
    campaign.register()
    tasks.register()
    reports.register()
    meetings.register()
