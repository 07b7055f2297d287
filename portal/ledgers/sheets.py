"""Excel workbooks of the station's ledgers (台账), read and written with openpyxl.

Reading forgives what real ledgers contain: a title row above the header, merged header
cells, full-width digits, trailing spaces, dates as Excel serial numbers or as text
(2023.5.6, 2023年5月6日, 2023/05/06, 20230506). Writing neutralises formulas (SECURITY.md
W10): a cell that a spreadsheet would evaluate is written as text.
"""
import io
import re
from datetime import date, datetime

from flask import send_file
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from ..fields import CONTROL, clean_controls, clean_text

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
HEADER_SCAN_ROWS = 10
MAX_ROWS = 30000  # a ledger's rows (20,000 import in well under a minute); more is refused before reading
MAX_COLUMNS = 100  # a ledger has ~20 columns; a value far to the right (XFD) would pad every row to 16,384
TEXT_DATE = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$")
HEADER_FONT, HEADER_FILL = Font(bold=True), PatternFill("solid", fgColor="DDE7F3")
COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class SheetError(ValueError):
    """A file or sheet the station cannot import, with a Chinese message."""


# --- reading ------------------------------------------------------------------

def text(value):
    """A cell as the screens clean typed text (full-width digits and letters to ASCII, Chinese
    punctuation kept, spaces trimmed); None for blank."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime, date)):
        value = value.strftime("%Y-%m-%d")
    return clean_text(str(value)) or None


def day(value):
    """A cell as a date, or raise ValueError with a Chinese reason; None for blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 80000:  # an Excel serial date (1900 system): 45000 is 2023-03-15
            return from_excel(value).date()
        value = str(int(value))
    raw = text(value)
    match = TEXT_DATE.match(raw) or COMPACT_DATE.match(raw)
    if not match:
        raise ValueError("无法识别的日期“%s”（可写 2023-05-06、2023.5.6 或 2023年5月6日）" % raw)
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValueError("日期“%s”不存在" % raw) from None


def integer(value):
    """A cell as a whole number, or raise ValueError; None for blank."""
    raw = text(value)
    if raw is None:
        return None
    raw = raw.removesuffix("个月").removesuffix("月")
    if not re.fullmatch(r"\d+", raw):
        raise ValueError("“%s”不是整数" % raw)
    return int(raw)


def open_workbook(data):
    """The workbook in uploaded bytes (streamed, read-only), or SheetError when it is not an .xlsx file."""
    if not data.startswith(b"PK\x03\x04"):
        raise SheetError("只能导入 Excel 2007 及以上的 .xlsx 文件（.xls 请先在 Excel 中另存为 .xlsx）。")
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign zip
        raise SheetError("文件无法打开，可能已损坏或不是 Excel 文件。") from None


def check_size(sheet):
    """Refuse a sheet whose stated size (its `<dimension ref>`, read before any row) passes the limits."""
    rows, columns = sheet.max_row or 0, sheet.max_column or 0
    if rows > MAX_ROWS or columns > MAX_COLUMNS:
        raise SheetError("工作表“%s”的范围到第 %d 行、%s 列，超过导入上限（最多 %d 行、%d 列）。请把台账部分复制到新的工作簿"
                         "（或删去表格右侧、下方多余的行列）后再上传。"
                         % (sheet.title, rows, get_column_letter(min(columns, 16384)) if columns else "A", MAX_ROWS,
                            MAX_COLUMNS))


def bounded_rows(sheet):
    """The sheet's rows as value lists (trailing blanks cut), never wider than MAX_COLUMNS and refused past
    MAX_ROWS even when the sheet's stated size was wrong or missing."""
    check_size(sheet)
    sheet.reset_dimensions()  # some generators write a wrong size; read what is there, within the limits
    values = []
    for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
        if len(values) == MAX_ROWS + HEADER_SCAN_ROWS:
            raise SheetError("工作表“%s”超过 %d 行，超过导入上限，请分成几个文件导入。" % (sheet.title, MAX_ROWS))
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        values.append(row)
    return values


def rows_of(sheet, aliases):
    """(header row number, {column key: index}, [(row number, [values])]) of a ledger sheet.

    The header is the row among the first ten that names the most known columns. A blank
    header cell takes the nearest text above it, which is what a cell merged down over a
    two-row header shows in Excel. `aliases` maps each column key to the header texts that
    mean it.
    """
    values = bounded_rows(sheet)
    lookup = {re.sub(r"\s|\*", "", alias): key for key, names in aliases.items() for alias in names}
    best = (0, None, {})
    width = max((len(row) for row in values[:HEADER_SCAN_ROWS]), default=0)  # rows come with trailing blanks cut
    for number in range(1, min(len(values), HEADER_SCAN_ROWS) + 1):
        columns = {}
        for index in range(width):
            above = (values[r][index] for r in range(number - 1, -1, -1) if index < len(values[r]))
            cell = next((v for v in above if text(v)), None)
            key = lookup.get(re.sub(r"\s|\*|（必填）|\(必填\)", "", text(cell) or ""))
            if key and key not in columns:
                columns[key] = index
        if len(columns) > best[0]:
            best = (len(columns), number, columns)
    _, header, columns = best
    if header is None:
        raise SheetError("在工作表“%s”的前 %d 行中找不到表头（如“姓名”“身份证号”）。" % (sheet.title, HEADER_SCAN_ROWS))
    body = [(number, row) for number, row in enumerate(values[header:], start=header + 1)
            if any(text(cell) for cell in row)]
    return header, columns, body


# --- writing ------------------------------------------------------------------

def safe(value):
    """A value as written to a cell: text a spreadsheet would run as a formula gets a leading '."""
    if isinstance(value, str):
        value = CONTROL.sub("", value)  # stored before the forms refused them: a cell cannot hold them
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


def shown_width(value):
    """Columns a value takes in Excel: a Chinese character is two."""
    if isinstance(value, (date, datetime)):
        return 10
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(value if value is not None else ""))


def column_widths(headers, rows, widest=40):
    """Each column as wide as its header or its widest cell (up to `widest`), so a ledger opens readable."""
    widths = [shown_width(h) + 2 for h in headers]
    for row in rows:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], min(widest, shown_width(value) + 2))
    return widths


def workbook(title, headers, rows, note=None):
    """An .xlsx ledger as bytes: a title line, the Chinese header (frozen), then the rows.

    Streamed (write-only) so that 5,000 rows stay fast and small; every string goes through
    safe(), so no cell is ever a formula.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for index, width in enumerate(column_widths(headers, rows), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    caption = WriteOnlyCell(sheet, value=safe(title + ("（%s）" % note if note else "")))
    caption.font = Font(bold=True, size=13)
    sheet.append([caption])
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=safe(header))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([safe(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template(title, headers, text_columns, choices, example, notes):
    """An import template: the header on the first sheet, ID and phone columns formatted as text
    (Excel would turn an 18-digit number into 5.20102E+17), drop-down lists where the values
    are fixed, and a second sheet "填写说明" with the notes and an example row (never imported:
    only the first sheet is read)."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    for index, header in enumerate(headers, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(10, min(30, len(str(header)) * 2 + 4))
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        if index - 1 in text_columns:
            for row in range(2, 2001):
                sheet.cell(row=row, column=index).number_format = "@"
        if index - 1 in choices:
            rule = DataValidation(type="list", formula1='"%s"' % ",".join(choices[index - 1]), allow_blank=True,
                                  showErrorMessage=True, errorTitle="请从列表中选择", error="请从下拉列表中选择。")
            sheet.add_data_validation(rule)
            rule.add("%s2:%s2000" % (letter, letter))
    sheet.freeze_panes = "A2"
    guide = book.create_sheet("填写说明")
    for line in notes:
        guide.append([line])
    guide.append([])
    guide.append(["示例（本页不会被导入）："])
    guide.append(list(headers))
    guide.append([safe(value) for value in example])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def send(data, filename):
    """An .xlsx download; the Chinese file name goes out RFC 5987-encoded (filename*=UTF-8''…)."""
    response = send_file(io.BytesIO(data), mimetype=XLSX_MIME, as_attachment=True,
                         download_name=clean_controls(filename, False))
    response.headers["Cache-Control"] = "private, no-store"
    return response
