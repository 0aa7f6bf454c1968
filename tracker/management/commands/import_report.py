from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tracker.importer import (
    ReportImportError,
    UnreadableFile,
    draft_write,
    import_report,
    read_report_file,
    source_path_for,
)


class Command(BaseCommand):
    help = _("把一份政府工作报告（.txt 或 .docx）导入为待审核的计划草稿（种子格式），"
             "核对后用 seed_report 加载。")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("报告文件：.txt（UTF-8 或 GB18030）或 .docx"))
        parser.add_argument("--out", required=True, metavar="DRAFT",
                            help=_("草稿 YAML 的路径；报告原文写在同名 .txt 文件中"))
        parser.add_argument("--year", type=int, default=None,
                            help=_("报告年度（默认从标题或正文中识别）"))
        parser.add_argument("--region", default=None, help=_("地区名称（默认从标题中识别）"))
        parser.add_argument("--force", action="store_true", help=_("覆盖已存在的草稿"))

    def handle(self, *args, file, out, year, region, force, **options):
        out_path = Path(out)
        if year is not None and not 2000 <= year <= 2100:
            raise CommandError(_("--year %(year)s 不是合理的年度") % {"year": year})
        if out_path.suffix.lower() == ".txt":
            raise CommandError(_("草稿文件不能以 .txt 结尾（报告原文会保存为同名 .txt 文件）"))
        existing = [p for p in (out_path, source_path_for(out_path)) if p.exists()]
        if existing and not force:
            raise CommandError(_("%(path)s 已存在；加 --force 覆盖") % {"path": existing[0]})
        try:
            draft = import_report(read_report_file(file), year=year, region=region)
        except (UnreadableFile, ReportImportError) as exc:
            raise CommandError(f"{file}: {exc}") from None
        draft_path, source_path = draft_write(draft, out_path)
        self.stdout.write(draft.summary())
        for note in draft.notes:
            self.stdout.write(self.style.WARNING(f"注意：{note}"))
        self.stdout.write(_("草稿：%(draft)s；报告原文：%(source)s。核对后加载：python manage.py "
                            "seed_report %(draft)s") % {"draft": draft_path, "source": source_path})
