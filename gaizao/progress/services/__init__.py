"""Every write of the progress app (进度): events, corrections, hard cases, visits, consultations."""

from gaizao.progress.services.events import (  # noqa: F401
    event_correct, household_record_event, households_record_stage, parse_day,
)
