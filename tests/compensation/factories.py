"""Compensation data for tests, straight into the models where the service under test is another one's:
a published scheme for a project, valuations in force for a household's buildings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gaizao.compensation.choices import SchemeStatus
from gaizao.compensation.models import Scheme, Valuation
from gaizao.compensation.samples import scheme_text
from gaizao.core.crypto import sm3_hex


def publish_scheme(project, kind: str = "money", *, text: str | None = None, start: str = "2026-03-01") -> Scheme:
    """The project's scheme in force (a published version), the sample of ``kind`` unless ``text`` is given."""
    text = text or scheme_text(kind, project=project.name, start=start)
    number = Scheme.objects.filter(project=project).count() + 1
    Scheme.objects.filter(project=project, status=SchemeStatus.PUBLISHED).update(status=SchemeStatus.SUPERSEDED)
    return Scheme.objects.create(project=project, number=number, name=f"{project.name}补偿方案", text=text,
                                 status=SchemeStatus.PUBLISHED, digest=sm3_hex(text.encode()))


def value_buildings(household, *, price: str = "5200", decoration: str = "30000",
                    on: dt.date = dt.date(2026, 3, 1)) -> list[Valuation]:
    """A valuation in force for each of the household's buildings."""
    return [Valuation.objects.create(household=household, building=building, unit_price=Decimal(price),
                                     decoration=Decimal(decoration), valued_on=on, valuer="云溪房地产估价有限公司")
            for building in household.buildings.all()]
