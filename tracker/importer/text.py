"""Text normalisation: read a report file, cut the web-page noise, fold widths for matching.

Two texts take part in an import:

- the *written* text: the report as its authors wrote it, with only the layout cleaned
  (line ends, indentation, runs of blank lines, page noise before and after). It is what
  the draft quotes, character for character, and what is saved next to the draft;
- the *folded* text: the same string with full-width letters, digits and punctuation
  mapped to their half-width forms, one character for one character. Every pattern in
  the importer runs on the folded text, and because folding never changes the length, an
  offset found there is the same offset in the written text.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

# One character for one character, so offsets survive folding (unicodedata's NFKC would
# turn "㎡" into "m2" and shift everything after it).
_FOLD = {chr(0xFF01 + i): chr(0x21 + i) for i in range(94)}  # ！ .. ～ -> ! .. ~
_FOLD.update({
    "\u3000": " ", "\xa0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ",
    "〔": "(", "〕": ")", "﹪": "%", "﹙": "(", "﹚": ")", "﹐": ",", "﹔": ";", "﹕": ":",
    "，": ",",  # kept explicit: the most common full-width mark in these reports
})
_FOLD_TABLE = str.maketrans(_FOLD)

# Characters that carry no text: byte-order marks and zero-width joiners pasted from web pages.
_INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u2060\u00ad]")
_LINE_BREAKS = re.compile("\r\n|\r|\u2028|\u2029|\x0b|\x0c|\x85")
_BLANK_RUNS = re.compile(r"\n{3,}")

# A report body opens with its title, the meeting line, the speaker, then "各位代表：".
_SALUTATION = re.compile(r"^各位(人大)?代表")
_TITLE = re.compile(r"政府工作报告")
# Sentence punctuation, folded. Page furniture ("发表于 2023-5-6 | 只看该作者") has none.
_PROSE_PUNCT = re.compile(r"[。,;!?、“”]")
_CLOSING = re.compile(r"(奋斗|奋进|努力|前进|而拼搏|实干)[!。]?$")
_APPENDIX = re.compile(r"^(附件|附录|名词解释|注释|注[:：]|相关链接|责任编辑|来源[:：])")


def fold(text: str) -> str:
    """The matching form of `text`: half-width letters, digits and punctuation; same length."""
    return text.translate(_FOLD_TABLE)


def _is_prose(line: str) -> bool:
    return len(line) >= 15 and bool(_PROSE_PUNCT.search(fold(line)))


def clean_report(raw: str) -> str:
    """The written text of a report: layout cleaned, page noise cut, words untouched.

    1. Drop invisible characters and unify line ends.
    2. Strip each line's indentation and trailing blanks; keep at most one blank line.
    3. Cut what comes before the report's title (forum headers, navigation) and after its
       closing paragraph (reply boxes, footers, appended glossaries).
    """
    text = _LINE_BREAKS.sub("\n", _INVISIBLE.sub("", raw))
    lines = [line.strip() for line in text.split("\n")]
    first, last = _body_bounds(lines)
    body = "\n".join(lines[first:last + 1]).strip("\n")
    body = _BLANK_RUNS.sub("\n\n", body)
    return body + "\n" if body else ""


def _body_bounds(lines: list[str]) -> tuple[int, int]:
    """First and last line index of the report body within a page."""
    n = len(lines)
    if n == 0:
        return 0, -1
    folded = [fold(line) for line in lines]
    salutation = next((i for i, line in enumerate(folded) if _SALUTATION.match(line)), None)
    if salutation is not None:
        first = salutation
        # The title, meeting line and speaker sit just above the salutation; the nearest
        # title line wins over a forum's copy of the title further up.
        for i in range(salutation - 1, max(-1, salutation - 12), -1):
            if _TITLE.search(folded[i]) and len(lines[i]) <= 60:
                first = i
                break
    else:
        prose = next((i for i, line in enumerate(lines) if _is_prose(line)), None)
        first = 0 if prose is None else prose
        for i in range(first - 1, max(-1, first - 6), -1):
            if _TITLE.search(folded[i]) and len(lines[i]) <= 60:
                first = i
                break
    last = n - 1
    while last > first and not _is_prose(lines[last]):
        last -= 1
    # A closing call ("……而团结奋斗！") ends the report; what follows is page furniture or
    # an appended glossary, which is not part of the adopted text.
    tail_start = first + (last - first) * 2 // 3
    for i in range(last, tail_start - 1, -1):
        if (_CLOSING.search(folded[i]) and _is_prose(lines[i])
                and (folded[i].startswith("各位代表") or "让我们" in folded[i])):
            last = i
            break
    else:
        for i in range(tail_start, last + 1):
            if _APPENDIX.match(folded[i]):
                last = i - 1
                while last > first and not lines[last]:
                    last -= 1
                break
    if not any(lines[first:last + 1]):
        return 0, -1
    return first, last


# ---------------------------------------------------------------- reading files


class UnreadableFile(Exception):
    """The upload is not text we can read; the message says why, in plain words."""


def decode_report(data: bytes, name: str = "") -> str:
    """Text of an uploaded or named report file: .docx, or text in UTF-8 or GB18030."""
    if name.lower().endswith(".docx") or data[:4] == b"PK\x03\x04":
        return _docx_text(data)
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile("这不是文本文件（含有二进制内容），请上传 .txt 或 .docx 格式的报告")
    for encoding in ("utf-8-sig", "utf-16", "gb18030"):
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("无法识别文件编码，请另存为 UTF-8 编码的 .txt 文件")


def _docx_text(data: bytes) -> str:
    try:
        import docx  # python-docx; imported here so plain-text imports never need it
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableFile(f"无法读取 .docx 文件：{exc}") from None
    except Exception as exc:  # python-docx raises its own PackageNotFoundError et al.
        raise UnreadableFile(f"无法读取 .docx 文件：{exc.__class__.__name__}") from None
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def read_report_file(path: Path | str) -> str:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFile(f"找不到文件 {path}") from None
    except IsADirectoryError:
        raise UnreadableFile(f"{path} 是一个目录，不是报告文件") from None
    return decode_report(data, path.name)
