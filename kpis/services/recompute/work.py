"""What one run recomputes, shared by the steps of the recomputation."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date


@dataclass
class Work:
    """What one run recomputes."""

    touched: dict[int, set[date]] = field(default_factory=lambda: defaultdict(set))  # measured KPI -> periods
    everything: set[int] = field(default_factory=set)  # KPIs whose every period is redone
    periods: int = 0
    errors: list[str] = field(default_factory=list)
