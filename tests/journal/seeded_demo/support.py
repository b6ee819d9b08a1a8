"""What the seeded-demo tests get from the package's ``demo`` fixture (``conftest.py``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from journal import models as m


@dataclass
class Demo:
    school: m.School
    year: m.AcademicYear
    today: datetime.date
    output: str
