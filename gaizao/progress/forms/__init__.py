"""Forms of the progress pages: recording stages (``events``), hard cases and consultations (``hardcases``)."""

from gaizao.progress.forms.events import (
    BulkFilterForm, BulkRecordForm, CorrectionForm, EventForm, EventsImportForm, MultipleFileField, StageForm,
)
from gaizao.progress.forms.hardcases import (
    CadreChoiceField, CloseForm, ConsultationAnswerForm, ConsultationForm, HardCaseEditForm, HardCaseFilterForm,
    HardCaseOpenForm, VisitForm,
)

__all__ = [
    "BulkFilterForm", "BulkRecordForm", "CadreChoiceField", "CloseForm", "ConsultationAnswerForm", "ConsultationForm",
    "CorrectionForm",
    "EventForm", "EventsImportForm", "HardCaseEditForm", "HardCaseFilterForm", "HardCaseOpenForm",
    "MultipleFileField", "StageForm", "VisitForm",
]
