"""Reads of the progress app: rollup figures (summary) and hard cases."""

from gaizao.progress.selectors.summary import (  # noqa: F401
    Area, Forecast, SigningStatus, UnitSummary, area_summary, cumulative_curves, dashboard_area, district_unit,
    forecasts, lapsed_projects, percent, progress_summary, project_summaries, signing_status, signing_windows,
    street_summaries, unit_summaries, village_summaries, wan,
)
from gaizao.progress.selectors.hardcases import (  # noqa: F401
    ConsultationRow, HardCaseCount, HardCaseCounts, HardCasePage, HardCaseRow, case_status, consultation_answers,
    consultation_get, consultation_list, consultation_project, hardcase_counts, hardcase_filter_options,
    hardcase_get, hardcase_list, hardcase_of_household, hardcase_overdue_all, hardcase_scope, hardcase_visits,
)
