"""Import a government work report (政府工作报告) into a draft plan for review.

`import_report(text)` returns a `Draft`; `draft_write(draft, path)` saves it in the curated
seed format next to the report text, ready for `manage.py seed_report`.
"""

from .draft import Draft, draft_write, draft_yaml, source_path_for
from .pipeline import REGION_PLACEHOLDER, ReportImportError, import_report
from .text import UnreadableFile, clean_report, decode_report, fold, read_report_file

__all__ = [
    "REGION_PLACEHOLDER",
    "Draft",
    "ReportImportError",
    "UnreadableFile",
    "clean_report",
    "decode_report",
    "draft_write",
    "draft_yaml",
    "fold",
    "import_report",
    "read_report_file",
    "source_path_for",
]
