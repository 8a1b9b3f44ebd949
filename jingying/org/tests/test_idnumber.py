import datetime as dt

import pytest

from jingying.org import idnumber


@pytest.mark.parametrize("value", ["34052419800101001X", "11010519491231002X", "34052419800101001x", "３４０５２４１９８００１０１００１Ｘ", " 340524 19800101001X "])
def test_valid_numbers_normalise(value):
    parsed = idnumber.parse(value)
    assert parsed.value == "34052419800101001X" or parsed.value == "11010519491231002X"


def test_wrong_check_digit_names_the_expected_one():
    with pytest.raises(idnumber.IdNumberError, match="应为 X"):
        idnumber.parse("340524198001010013")


def test_scientific_notation_is_explained():
    with pytest.raises(idnumber.IdNumberError, match="科学计数法"):
        idnumber.parse("1.50102E+17")
    with pytest.raises(idnumber.IdNumberError, match="数字"):
        idnumber.parse(1.50102198501011e17)


def test_impossible_birth_date():
    first17 = "15010219850230001"
    with pytest.raises(idnumber.IdNumberError, match="不存在"):
        idnumber.parse(first17 + idnumber.check_char(first17))


def test_make_round_trips_birth_and_gender():
    value = idnumber.make("150102", dt.date(1985, 3, 12), 11)
    parsed = idnumber.parse(value)
    assert parsed.birth_date == dt.date(1985, 3, 12)
    assert parsed.gender == "1"
    assert idnumber.parse(idnumber.make("150102", dt.date(1985, 3, 12), 12)).gender == "2"
