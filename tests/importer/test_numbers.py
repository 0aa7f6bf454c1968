"""Figures, units and comparators, as reports write them."""

from decimal import Decimal

import pytest

from tracker.importer.numbers import cn_to_int, find_quantities, masked_spans
from tracker.importer.text import fold


def only(clause: str):
    folded = fold(clause)
    found = find_quantities(folded, masked=masked_spans(folded))
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("clause, value, unit, comparator", [
    ("地区生产总值增长6%左右", "6", "%", "approx"),
    ("引进各类机构区域总部20家以上", "20", "家", "gte"),
    ("力争高新技术企业总量突破150家", "150", "家", "gte"),
    ("高新技术企业总数超过２８００家", "2800", "家", "gte"),
    ("涉企审批事项网上可办率不低于９８％", "98", "%", "gte"),
    ("登记失业率控制在3%以内", "3", "%", "lte"),
    ("一般性支出不超过１０亿元", "10", "亿元", "lte"),
    ("企业开办时间压缩至1个工作日", "1", "个工作日", "lte"),
    ("规划实施亿元以上重点项目40个", "40", "个", "eq"),
    ("举办公共文化服务活动100场次", "100", "场次", "eq"),
    ("力争新增就业1.76万人", "1.76", "万人", "eq"),
    ("申请地方专项债券投资8亿元", "8", "亿元", "eq"),
    ("实施老旧小区改造178万平方米", "178", "万平方米", "eq"),
    ("新增3家市级以上众创空间", "3", "家", "eq"),
    ("办好十件民生实事", "10", "件", "eq"),
    ("PM2.5平均浓度控制在３２微克/立方米以内", "32", "微克/立方米", "lte"),
])
def test_it_reads_value_unit_and_comparator(clause, value, unit, comparator):
    quantity = only(clause)
    assert (quantity.value, quantity.unit, quantity.comparator) == (Decimal(value), unit,
                                                                    comparator)


@pytest.mark.parametrize("clause", [
    "完善“24小时自助服务区”功能",        # a duration naming a service
    "打造“15分钟文化服务圈”",
    "深入推进“2144”基层社会治理体系建设",  # a number inside quotation marks is a name
    "打造“三呼三应”网格治理3.0版",
    "2023年是全面贯彻党的二十大精神的开局之年",
    "扎实开展第五次全国经济普查准备工作",
    "新建5G基站",
    "严格落实中央八项规定精神",           # figures in words only count after a verb
])
def test_it_ignores_numbers_that_are_names_dates_or_ordinals(clause):
    folded = fold(clause)
    assert find_quantities(folded, masked=masked_spans(folded)) == []


@pytest.mark.parametrize("clause, value, comparator", [
    ("确保新增违法建设“零增长”", 0, "eq"),
    ("零就业家庭动态清零", 0, "eq"),
    ("力争实现潜在独角兽企业零的突破", 1, "gte"),
])
def test_it_reads_zero_idioms_as_numbers(clause, value, comparator):
    quantity = only(clause)
    assert (quantity.value, quantity.comparator) == (value, comparator)


@pytest.mark.parametrize("words, number", [
    ("三", 3), ("十", 10), ("十一", 11), ("二十", 20), ("一百零五", 105), ("两", 2),
    ("三四", None), ("", None), ("十十十", None),
])
def test_it_reads_numbers_written_in_words(words, number):
    assert cn_to_int(words) == number
