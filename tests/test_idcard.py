"""GB 11643-1999 identity numbers: check digit, embedded birth date and sex, masking (D1, D2)."""
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.idcard import FULL_ID, InvalidIdNumber, mask, normalize, parse

# The standard's own example of the check computation.
KNOWN_VALID = "11010519491231002X"


def check_char(first17):
    """Written from the standard, independently of the code under test."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


def test_known_number_parses():
    number, birth, sex = parse(KNOWN_VALID, date(2026, 1, 1))
    assert (number, birth, sex) == (KNOWN_VALID, date(1949, 12, 31), "F")


def test_lower_case_x_and_full_width_digits_are_accepted():
    assert parse("11010519491231002x")[0] == KNOWN_VALID
    assert parse("１１０１０５１９４９１２３１００２Ｘ")[0] == KNOWN_VALID
    assert normalize(" 1101 0519 4912 3100 2x ") == KNOWN_VALID


@pytest.mark.parametrize("raw, message", [
    ("11010519491231002", "18 位"),
    ("110105194912310029", "校验位"),
    ("1101051949123100AX", "前 17 位"),
    ("11010519490230002" + check_char("11010519490230002"), "出生日期不存在"),
    ("11010520300101001" + check_char("11010520300101001"), "出生日期不合理"),
    ("99010519491231002" + check_char("99010519491231002"), "行政区划"),
])
def test_invalid_numbers_get_a_chinese_reason(raw, message):
    with pytest.raises(InvalidIdNumber, match=message):
        parse(raw, date(2026, 1, 1))


@settings(max_examples=300, deadline=None)
@given(area=st.sampled_from(["520102", "520103", "520111", "522601", "110105", "440305"]),
       birth=st.dates(date(1930, 1, 1), date(2025, 12, 31)),
       seq=st.integers(0, 999), wrong=st.integers(1, 10))
def test_random_prefixes_valid_and_wrong_check_digit(area, birth, seq, wrong):
    first17 = "%s%s%03d" % (area, birth.strftime("%Y%m%d"), seq)
    good = first17 + check_char(first17)
    number, parsed_birth, sex = parse(good, date(2026, 1, 1))
    assert number == good and parsed_birth == birth and sex == ("M" if seq % 2 else "F")
    alphabet = "0123456789X"
    bad = first17 + alphabet[(alphabet.index(good[-1]) + wrong) % 11]
    with pytest.raises(InvalidIdNumber, match="校验位"):
        parse(bad, date(2026, 1, 1))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_arbitrary_text_never_crashes(raw):
    try:
        parse(raw, date(2026, 1, 1))
    except InvalidIdNumber:
        pass


def test_mask_keeps_first_six_and_last_four():
    assert mask("52010219850314123X") == "520102********123X"
    assert not FULL_ID.search(mask("52010219850314123X"))
