from .plans import Area, Plan
from .progress import Evidence, IndicatorReading, ProgressEntry, StatusOverride
from .tasks import Indicator, Milestone, Task

__all__ = [
    "Area",
    "Evidence",
    "Indicator",
    "IndicatorReading",
    "Milestone",
    "Plan",
    "ProgressEntry",
    "StatusOverride",
    "Task",
]
