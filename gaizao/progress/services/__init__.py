"""Every write of the progress app (进度): events, corrections, hard cases, visits, consultations."""

from gaizao.progress.services.events import (  # noqa: F401
    event_correct, household_record_event, households_record_stage, parse_day,
)
from gaizao.progress.services.consultations import consultation_answer, consultation_open  # noqa: F401
from gaizao.progress.services.hardcases import (  # noqa: F401
    can_visit, hardcase_close, hardcase_open, hardcase_update, is_overdue, open_refusal, overdue_condition,
    visit_interval_days, visit_record,
)
