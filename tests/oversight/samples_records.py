"""Records objects for the scope matrix: the two streets and the department (their record pages, and
their first member's person record)."""


def _units(cast):
    return [cast.street_a, cast.street_b, cast.department]


def _documents(cast):
    """A commendation of each street and an accountability of the department, each with its document file."""
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile

    from gaizao.oversight.services.records import record_create

    out = []
    for unit, kind, measure in ((cast.street_a, "commendation", "praise"), (cast.street_b, "commendation", "praise"),
                                (cast.department, "accountability", "talk")):
        out.append(record_create(actor=cast.commander, kind=kind, measure=measure, unit=unit, reason="矩阵样本记录",
                                 decided_on=dt.date(2026, 11, 20), document_number="改造办〔2026〕9号",
                                 document=SimpleUploadedFile("决定.pdf", b"%PDF-1.4 sample",
                                                             content_type="application/pdf")))
    return out


SAMPLES = {"oversight.record": _units, "oversight.record_document": _documents}
BODIES: dict = {}
