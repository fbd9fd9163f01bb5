"""Objects of the ledger's resources for the registry-driven scope matrix (tests/test_scope_matrix.py).

Each entry of ``SAMPLES`` builds, from the cast, objects that some roles reach and others do not,
through the services. ``BODIES`` gives the request body of a write endpoint (by its name) that
needs one to reach its scope check: a body the schema takes and the service then refuses, so an
in-scope call is answered 4xx (not 404) and writes nothing.
"""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from gaizao.ledger import services
from gaizao.ledger.importing import jobs
from tests.ledger.importing.conftest import HOUSEHOLD_HEADER, household_row

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.png", PNG, content_type="image/png")


def _heritage(cast):
    # Village A's element stands on household a1's building; each has a photo, so the photo routes answer.
    return [
        services.heritage_create(actor=cast.admin, village=cast.village_a, kind="ancestral_hall", name="李氏宗祠",
                                 building=cast.household_a1.buildings.get(), photo=_photo()),
        services.heritage_create(actor=cast.admin, village=cast.village_b, kind="old_well", name="西岭古井",
                                 photo=_photo()),
    ]


def _persons(cast):
    # Names no user of the cast bears, so a page's header never shows them by chance.
    return [services.person_add(actor=cast.admin, household=household, name=name, relation="child")
            for household, name in ((cast.household_a1, "李春燕"), (cast.household_a2, "张秋实"),
                                    (cast.household_b1, "王冬青"))]


def _workbook() -> SimpleUploadedFile:
    """A ledger file with one row refused (a bad ID number), so its job has an error report."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "住户房屋"
    sheet.append(HOUSEHOLD_HEADER)
    sheet.append(household_row("DH-901", "钱九", 901, 户主身份证号="123"))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("台账样例.xlsx", buffer.getvalue())


def _import_jobs(cast):
    # Each street's staff uploads to their project; the preview runs at once in the tests.
    return [jobs.import_job_create(actor=user, project=project, upload=_workbook())
            for user, project in ((cast.street_user_a, cast.project_a), (cast.street_user_b, cast.project_b))]


SAMPLES = {
    "ledger.village": lambda cast: [cast.village_a, cast.village_b],
    "ledger.project": lambda cast: [cast.project_a, cast.project_b],
    "ledger.heritage": _heritage,
    "ledger.household": lambda cast: [cast.household_a1, cast.household_a2, cast.household_b1],
    "ledger.household_identity": lambda cast: [cast.household_a1, cast.household_a2, cast.household_b1],
    "ledger.person": _persons,
    # The cast's one building belongs to household_a1.
    "ledger.building": lambda cast: [cast.household_a1.buildings.get()],
    "ledger.import_job": _import_jobs,
}

BODIES = {
    "village_create_api": lambda v: {"street_id": v.street_id, "code": "", "name": "", "mode": "", "year": 2026},
    "project_create_api": lambda p: {"village_id": p.village_id, "code": "", "name": ""},
    "heritage_create_api": lambda e: {"village_id": e.village_id, "kind": "", "name": ""},
    # A stale version: the upload is refused (409) and the photo stays.
    "heritage_photo_upload_api": lambda e: {"photo": _photo(), "version": e.version + 1},
    "household_create_api": lambda h: {"project_id": h.project_id, "number": "", "head_name": ""},
    # No version: refused (400) in scope, nothing linked.
    "household_resident_api": lambda h: {"resident": "nobody"},
    "person_create_api": lambda p: {"name": "", "relation": ""},
    "building_create_api": lambda b: {"number": ""},
    "building_demolish_api": lambda b: {"on_date": "2999-01-01"},  # a day to come: refused
}
