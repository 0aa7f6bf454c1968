from .plans import Area, Plan
from .progress import Evidence, IndicatorReading, ProgressEntry, StatusOverride
from .reminders import (
    Delivery,
    DeliveryItem,
    DeliveryKind,
    DeliveryState,
    DepartmentRobot,
    NotificationPreference,
    Reminder,
)
from .tasks import Indicator, Milestone, Task

__all__ = [
    "Area",
    "Delivery",
    "DeliveryItem",
    "DeliveryKind",
    "DeliveryState",
    "DepartmentRobot",
    "Evidence",
    "Indicator",
    "IndicatorReading",
    "Milestone",
    "NotificationPreference",
    "Plan",
    "ProgressEntry",
    "Reminder",
    "StatusOverride",
    "Task",
]
