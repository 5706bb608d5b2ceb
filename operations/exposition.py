"""The Prometheus text exposition format (version 0.0.4), written by hand.

``prometheus_client`` is not a dependency; the format is small: ``# HELP`` and ``# TYPE`` lines,
then ``name{label="value"} number`` samples. Label values escape backslash, double quote and
newline.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


@dataclass
class Metric:
    name: str
    kind: str  # counter, gauge or histogram
    help: str
    samples: list[tuple[str, Mapping[str, str], float]] = field(default_factory=list)

    def add(self, value: float, suffix: str = "", **labels: str) -> None:
        self.samples.append((suffix, labels, value))


def render(metrics: Iterable[Metric]) -> str:
    lines: list[str] = []
    for metric in metrics:
        lines.append(f"# HELP {metric.name} {metric.help}")
        lines.append(f"# TYPE {metric.name} {metric.kind}")
        for suffix, labels, value in metric.samples:
            label_text = ",".join(f'{key}="{_escape(str(val))}"' for key, val in labels.items())
            braces = f"{{{label_text}}}" if label_text else ""
            lines.append(f"{metric.name}{suffix}{braces} {_number(value)}")
    return "\n".join(lines) + "\n"
