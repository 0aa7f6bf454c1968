"""Reading report files and cleaning their text."""

import io

import pytest

from tests.importer.conftest import DATA, FORUM_PAGE, SEEDS
from tracker.importer import UnreadableFile, clean_report, decode_report, fold

CURATED_TEXT = (SEEDS / "2023-shahekou-work-report.txt").read_text(encoding="utf-8")


def test_it_folds_full_width_marks_and_digits_without_moving_any_offset():
    written = "（一）新增就业１.７６万人，失业率控制在３％以内；ＰＭ２.５　下降。"
    folded = fold(written)
    assert folded == "(一)新增就业1.76万人,失业率控制在3%以内;PM2.5 下降。"
    assert len(folded) == len(written)


def test_it_cuts_the_forum_page_down_to_the_report_as_curated():
    assert clean_report(FORUM_PAGE.read_text(encoding="utf-8")) == CURATED_TEXT


def test_it_leaves_a_clean_report_as_it_is():
    assert clean_report(CURATED_TEXT) == CURATED_TEXT


def test_it_keeps_the_words_and_marks_as_written():
    written = (DATA / "2024-binjiang-city.txt").read_text(encoding="utf-8")
    cleaned = clean_report("\r\n".join("\u3000\u3000" + line for line in written.split("\n")))
    assert "地区生产总值增长６％以上；" in cleaned
    assert cleaned == written


def test_it_drops_a_glossary_appended_after_the_closing_words():
    body = (DATA / "2024-qinghe-district-no-targets.txt").read_text(encoding="utf-8")
    cleaned = clean_report(body + "\n名词解释\n1.口袋公园：指规模很小的城市开放空间。\n")
    assert cleaned == body


def test_it_reads_utf8_with_a_byte_order_mark_and_gb18030():
    text = "2024年清河区政府工作报告\n各位代表：\n"
    assert decode_report(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert decode_report(text.encode("gb18030")) == text


def test_it_reads_the_paragraphs_of_a_docx_file():
    import docx

    document = docx.Document()
    for paragraph in ("2024年清河区政府工作报告", "各位代表：", "（一）聚焦项目建设。"):
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    text = decode_report(buffer.getvalue(), "report.docx")
    assert text.split("\n") == ["2024年清河区政府工作报告", "各位代表：", "（一）聚焦项目建设。"]


@pytest.mark.parametrize("data, name", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "picture.png"),
    (b"PK\x03\x04 not really a zip", "report.docx"),
])
def test_it_refuses_files_that_are_not_text_in_plain_words(data, name):
    with pytest.raises(UnreadableFile) as error:
        decode_report(data, name)
    assert "txt" in str(error.value) or "docx" in str(error.value)
