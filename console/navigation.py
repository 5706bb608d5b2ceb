"""The console's sections, shown as a menu on every console page: (label, URL name).

Each section of the console adds its own line here.
"""

from __future__ import annotations

SECTIONS: list[tuple[str, str]] = [
    ("Overview", "console:home"),
    ("Patients", "console:patients"),
    ("Programme", "console:programme"),
    ("Sessions and measures", "console:sessions"),
    ("Staff", "console:staff"),
    ("Reports", "console:reports"),
]
