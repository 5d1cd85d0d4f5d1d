"""Place extraction on every way residents write an address."""
import pytest

from nlp import Place, extract_place
from nlp.numerals import digitwise, positional_to_int, to_arabic


@pytest.mark.parametrize("text, expected", [
    ("3号楼2单元501漏水", ("3", "2", "501")),
    ("三号楼二单元五零一，卫生间渗水", ("3", "2", "501")),
    ("3#楼电梯坏了", ("3", None, None)),
    ("4#楼楼顶排水口堵了", ("4", None, None)),
    ("5栋1门402卫生间往楼下漏", ("5", "1", "402")),
    ("12-2-1101 物业费交到几月了", ("12", "2", "1101")),
    ("１２－２－１１０１欠费多少", ("12", "2", "1101")),
    ("３号楼２单元５０２", ("3", "2", "502")),
    ("十二栋二单元一一零一 绑定", ("12", "2", "1101")),
    ("六栋一单元五〇二怎么绑", ("6", "1", "502")),
    ("二十三幢的路灯不亮", ("23", None, None)),
    ("第三栋楼下有人乱停车", ("3", None, None)),
    ("B座1903厨房墙面渗水", ("B", None, "1903")),
    ("我家在C座", ("C", None, None)),
    ("12栋2-1101门口堆满了纸箱", ("12", "2", "1101")),
    ("7栋2门1202欠多少", ("7", "2", "1202")),
    ("2幢801 帮我绑一下", ("2", None, "801")),
    ("12-2那台电梯困人了", ("12", "2", None)),
    ("2-1101 天花板漏水", ("2", None, "1101")),
    ("3-501想问下明天停水吗", ("3", None, "501")),
    ("楼上302漏水", (None, None, "302")),
    ("交到隔壁1502去了", (None, None, "1502")),
    ("3单元哪家管子爆了", (None, "3", None)),
    ("我是4号楼1单元1602的业主", ("4", "1", "1602")),
])
def test_address_forms(text, expected):
    place = extract_place(text)
    assert (place.building, place.unit, place.room) == expected


@pytest.mark.parametrize("text", [
    "我家住18楼，天天爬楼",           # a floor, not a building or room
    "电梯卡在7楼和8楼中间",
    "门开了是负一层",
    "这一栋楼都停电了",               # a count, not building 1
    "两栋楼中间的路灯坏了",
    "早上8-10点停水",                 # a time range
    "1-2天就能修好",
    "打了119和110都没用",             # emergency numbers are not rooms
    "我一直住在这里，一下雨就漏",     # "一直", "一下" stay words
    "2024年交的物业费",
])
def test_no_false_address(text):
    place = extract_place(text)
    assert (place.building, place.unit, place.room) == (None, None, None)


def test_numerals_converted_only_inside_the_span():
    # "一" of "一直" must not become a unit or room; the building still reads as 3.
    place = extract_place("三号楼一直漏水")
    assert place == Place(building="3", unit=None, room=None, place=None)


@pytest.mark.parametrize("text, named", [
    ("地下车库顶板一直滴水", "地下车库"),
    ("东门那张公告写的啥", "东门"),
    ("东门岗亭旁边那块牌子", "东门岗亭"),
    ("B2那部电梯停了一个礼拜", "B2"),
    ("b1积水没过脚踝了", "B1"),
    ("五栋一单元负一层的管子爆了，水往地下车库里灌", "地下车库"),
    ("地库入口的道闸杆断了", "地库"),
    ("楼道灯不亮", None),
])
def test_named_places(text, named):
    assert extract_place(text).place == named


def test_named_place_and_address_together():
    assert extract_place("4#楼楼顶排水口堵了") == Place("4", None, None, "楼顶")


def test_basement_level_is_not_a_building():
    place = extract_place("B2的车位管理费多少")
    assert place.building is None and place.place == "B2"


def test_full_width_letters_and_digits():
    assert extract_place("Ｂ座１２０３") == Place("B", None, "1203", None)


@pytest.mark.parametrize("span, value", [("十", 10), ("十二", 12), ("二十三", 23), ("一百零一", 101)])
def test_positional_numerals(span, value):
    assert positional_to_int(span) == value


def test_digitwise_and_mixed_numerals():
    assert digitwise("五零一") == "501"
    assert digitwise("幺零二") == "102"
    assert to_arabic("一一零一") == "1101"
    assert to_arabic("十二") == "12"
    with pytest.raises(ValueError):
        to_arabic("一直")


def test_traditional_characters():
    place = extract_place("５棟２單元１２０３的電梯又壞了")
    assert (place.building, place.unit, place.room) == ("5", "2", "1203")
    assert extract_place("東門的道閘壞了").place == "东门"
