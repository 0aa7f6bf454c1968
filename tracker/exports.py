"""The Excel 台账 (task ledger) that departments and 督查室 have always kept by hand.

Columns follow the ledger people know: 序号, 任务, 责任单位, 配合单位, 责任人, 完成时限,
进展情况, 存在问题, 下一步, 状态. The progress texts are the latest entry's
(selectors_ui.with_latest_entry_texts), fetched in the list query.
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill

from tracker.models import Task

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ledger_headers() -> list[str]:
    return [_("序号"), _("任务"), _("责任单位"), _("配合单位"), _("责任人"), _("完成时限"),
            _("进展情况"), _("存在问题"), _("下一步"), _("状态")]


# Column widths in characters, for a ledger that prints on A4 landscape.
WIDTHS = [6, 48, 12, 16, 10, 12, 48, 32, 32, 10]


def _text(cell: Cell, value: str) -> None:
    """Write user text as text. openpyxl treats a string starting with "=" as a formula,
    and a progress note like "=SUM(...)" or "=HYPERLINK(...)" must not run in Excel."""
    cell.value = value
    cell.data_type = "s"


def tasks_ledger_xlsx(tasks: Iterable[Task], *, title: str) -> bytes:
    """Build the workbook for `tasks` (annotated with latest entry texts) in order."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("台账")
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(ledger_headers())
    header_fill = PatternFill("solid", fgColor="DDE5F0")
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    for number, task in enumerate(tasks, start=1):
        row = sheet.max_row + 1
        values = [
            number,
            f"{task.code} {task.title}",
            task.lead_department.short_name if task.lead_department else "",
            "、".join(d.short_name for d in task.co_departments.all()),
            str(task.responsible) if task.responsible else "",
            task.deadline,
            getattr(task, "latest_progress_text", None) or "",
            getattr(task, "latest_problems_text", None) or "",
            getattr(task, "latest_next_steps_text", None) or "",
            task.get_status_display(),
        ]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column)
            if isinstance(value, str):
                _text(cell, value)
            else:
                cell.value = value
            cell.alignment = wrap
        sheet.cell(row=row, column=6).number_format = "yyyy-mm-dd"
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "C3"
    sheet.auto_filter.ref = f"A2:J{max(2, sheet.max_row)}"
    sheet.print_options.gridLines = True
    sheet.page_setup.orientation = "landscape"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
