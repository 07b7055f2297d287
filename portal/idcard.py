"""Resident identity numbers (GB 11643-1999): validation, parsing and masking."""
import re
import unicodedata
from datetime import date

from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

FULL_ID = re.compile(r"\d{17}[\dXx]")


class InvalidIdNumber(ValueError):
    """Raised with a Chinese message a station worker can act on."""


def normalize(raw):
    """Full-width digits to ASCII, spaces removed, lower-case x to X."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw or "")).upper()


def parse(raw, today=None):
    """Validate an ID number; return (number, birth_date, sex) or raise InvalidIdNumber."""
    number = normalize(raw)
    if len(number) != 18:
        raise InvalidIdNumber("身份证号应为 18 位（当前 %d 位）。" % len(number))
    if not number[:17].isdigit() or not re.fullmatch(r"[\dX]", number[17]):
        raise InvalidIdNumber("身份证号前 17 位须为数字，最后一位为数字或 X。")
    if ric.calc_check_digit(number) != number[17]:
        raise InvalidIdNumber("身份证号校验位不正确，请核对是否输错。")
    try:
        birth = ric.get_birth_date(number)
    except ValidationError:
        raise InvalidIdNumber("身份证号中的出生日期不存在。") from None
    if birth > (today or date.today()) or birth.year < 1900:
        raise InvalidIdNumber("身份证号中的出生日期不合理。")
    if not any("province" in props for _, props in numdb.get("cn/loc").info(number[:6])):
        raise InvalidIdNumber("身份证号前 2 位不是有效的省级行政区划代码。")
    sex = "M" if int(number[16]) % 2 else "F"
    return number, birth, sex


def mask_name(name):
    """张** : the surname's first character only, as the search shows colleagues' persons."""
    return (name[:1] + "*" * (len(name) - 1)) if name else ""


def mask(number):
    """520102********123X: first 6 and last 4 characters only (GB/T 35273)."""
    if not number:
        return ""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
