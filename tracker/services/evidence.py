"""Evidence files (佐证材料): which uploads are accepted, and the names they are kept under.

progress_entry_create calls `evidence_files_validate`, so the admin, the web UI and the
API share one set of rules:

1. At most EVIDENCE_MAX_FILES files per entry, each at most
   settings.TRACKER_EVIDENCE_MAX_BYTES (20 MB unless configured).
2. The extension is on the allow-list (PDF, images, Word/Excel/PowerPoint and WPS), and
   the content is that kind of file, read from its first bytes (puremagic) and, for the
   zip-based Office formats, from the zip's table of contents. A renamed program or web
   page ("报告.pdf" that is really HTML) is refused, and so is an Office file with macros.
3. The name shown to people is sanitised (`evidence_name_clean`); the file is stored
   under a random name in MEDIA_ROOT, so nothing the uploader typed reaches the disk.

Files are served only by the permission-checking view (tracker.views.pages
.evidence_download); there is no public media URL.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from typing import IO

import puremagic
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

EVIDENCE_MAX_FILES = 10
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Enough for every signature we recognise; PDF allows junk before its header up to 1 KB.
SNIFF_BYTES = 2048
NAME_MAX_CHARS = 120
FALLBACK_STEM = "文件"

# What the content turned out to be. Images count as one family: a phone's "照片.jpg"
# that is really a PNG is still a photo, and is served as a download either way.
PDF, IMAGE, OLE, DOCX, XLSX, PPTX = "pdf", "image", "ole", "docx", "xlsx", "pptx"

# Extension -> the content kind it must have. OLE is the pre-2007 Office container, which
# WPS Office (.wps/.et/.dps, common in government offices) also uses.
ALLOWED_EXTENSIONS: dict[str, str] = {
    ".pdf": PDF,
    ".jpg": IMAGE, ".jpeg": IMAGE, ".png": IMAGE, ".gif": IMAGE, ".webp": IMAGE,
    ".bmp": IMAGE, ".tif": IMAGE, ".tiff": IMAGE, ".heic": IMAGE, ".heif": IMAGE,
    ".doc": OLE, ".xls": OLE, ".ppt": OLE, ".wps": OLE, ".et": OLE, ".dps": OLE,
    ".docx": DOCX, ".xlsx": XLSX, ".pptx": PPTX,
}
IMAGE_EXTENSIONS = frozenset(ext for ext, kind in ALLOWED_EXTENSIONS.items() if kind == IMAGE)
# The Content-Type recorded for each kind (images keep the one puremagic found).
KIND_MIME = {
    PDF: "application/pdf",
    OLE: "application/x-ole-storage",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_SIGNATURE = b"PK\x03\x04"
# The part each OOXML document must contain, by kind.
OOXML_MAIN_PART = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml",
                   PPTX: "ppt/presentation.xml"}

# Kept in names besides letters, digits and CJK characters (\w): the punctuation Chinese
# document titles use, e.g. "关于（2023）第3号《通知》【定稿】-王明.docx".
_NAME_EXTRA = "-_.()[]+（）【】《》〔〕「」、，·—－"
_NAME_DROP = re.compile(rf"[^\w{re.escape(_NAME_EXTRA)}]")


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed: its display name, the name it is stored under, its type."""

    upload: UploadedFile
    display_name: str
    storage_name: str
    content_type: str


def evidence_name_clean(name: str) -> str:
    """A safe display name that keeps Chinese, after Django's get_valid_filename.

    1. Keep only the last path part (browsers on Windows may send "C:\\…\\报告.pdf").
    2. Normalise (NFC) and drop control and format characters, including the
       right-to-left override that makes "报告‮fdp.exe" read as "报告exe.pdf".
    3. As get_valid_filename: spaces become "_", other characters outside word
       characters (CJK included) and common document punctuation are removed.
    4. No leading dots (".." or a hidden file), at most NAME_MAX_CHARS characters with
       the extension kept, and a fallback stem when nothing is left.
    """
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in ("C", "Z")
                   or ch == " ")
    name = _NAME_DROP.sub("", name.strip().replace(" ", "_"))
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 10:  # no extension, or just a dot inside a long name
        stem, ext = name, ""
    ext = f".{ext}" if ext else ""
    stem = stem.strip("._") or FALLBACK_STEM
    return f"{stem[: NAME_MAX_CHARS - len(ext)]}{ext}"


def _extension(name: str) -> str:
    _stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot else ""


def _read_head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head


def _ooxml_kind(handle: IO[bytes]) -> tuple[str | None, bool]:
    """(kind, has_macros) of a zip from its table of contents; nothing is unpacked."""
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None, False
    finally:
        handle.seek(0)
    if "[Content_Types].xml" not in names:
        return None, False
    has_macros = any(n.lower().endswith("vbaproject.bin") for n in names)
    for kind, part in OOXML_MAIN_PART.items():
        if part in names:
            return kind, has_macros
    return None, has_macros


def _content_kind(upload: UploadedFile, head: bytes) -> tuple[str | None, str, bool]:
    """(kind, mime, has_macros) read from the bytes themselves."""
    if head.startswith(OLE_SIGNATURE):
        return OLE, KIND_MIME[OLE], False
    if head.startswith(ZIP_SIGNATURE):
        kind, has_macros = _ooxml_kind(upload)
        return kind, KIND_MIME.get(kind or "", ""), has_macros
    if b"%PDF-" in head[:1024]:
        return PDF, KIND_MIME[PDF], False
    try:
        matches = puremagic.magic_string(head)
    except puremagic.PureError:  # nothing it knows
        return None, "", False
    for match in matches:
        if match.extension.lower() in IMAGE_EXTENSIONS | {".jfif", ".jpe"} and \
                match.mime_type.startswith("image/"):
            return IMAGE, match.mime_type, False
    return None, "", False


def _max_bytes() -> int:
    return getattr(settings, "TRACKER_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)


def evidence_file_check(upload: UploadedFile) -> tuple[CheckedFile | None, list[str]]:
    """Check one upload; return it ready to store, or the reasons it is refused."""
    display = evidence_name_clean(upload.name or "")
    limit = _max_bytes()
    if upload.size is not None and upload.size > limit:
        return None, [_("文件“%(name)s”超过 %(mb)d MB。")
                      % {"name": display, "mb": limit // 2**20}]
    if upload.size == 0:
        return None, [_("文件“%(name)s”是空文件。") % {"name": display}]
    ext = _extension(display)
    expected = ALLOWED_EXTENSIONS.get(ext)
    if expected is None:
        return None, [_("不支持文件“%(name)s”的类型：只能上传 PDF、图片和 Office/WPS 文档"
                        "（%(exts)s）。")
                      % {"name": display, "exts": " ".join(sorted(ALLOWED_EXTENSIONS))}]
    kind, mime, has_macros = _content_kind(upload, _read_head(upload))
    if kind != expected:
        return None, [_("文件“%(name)s”的内容与扩展名 %(ext)s 不符，可能已损坏或被改名。")
                      % {"name": display, "ext": ext}]
    if has_macros:
        return None, [_("文件“%(name)s”含有宏，请另存为不含宏的文档后上传。")
                      % {"name": display}]
    # A random name on disk: the display name is only ever shown, never used as a path.
    storage_name = f"{uuid.uuid4().hex}{ext}"
    return CheckedFile(upload=upload, display_name=display, storage_name=storage_name,
                       content_type=mime), []


def evidence_files_validate(files: list[UploadedFile] | None,
                            errors: dict[str, list[str]]) -> list[CheckedFile]:
    """Check every upload, adding messages to errors["evidence"]; return those that pass."""
    files = list(files or [])
    messages: list[str] = []
    if len(files) > EVIDENCE_MAX_FILES:
        messages.append(_("一次最多上传 %(n)d 个文件。") % {"n": EVIDENCE_MAX_FILES})
    checked = []
    for upload in files:
        result, problems = evidence_file_check(upload)
        messages.extend(problems)
        if result is not None:
            checked.append(result)
    if messages:
        errors.setdefault("evidence", []).extend(messages)
    return checked
