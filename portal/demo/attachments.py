"""Demo attachments: a signed agreement and a decision, drawn as scanned pages (an image in a PDF, as a
scanner makes them) with Pillow, which WeasyPrint already brings; about 0.1 s each. Skipped without the
CJK font or Pillow."""
import hashlib
import io
import os
from datetime import datetime, time

from .. import uploads
from ..models import Agreement, Attachment, Person

FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
SC = 2  # the Simplified Chinese face in Debian's Noto CJK collections


def scanned_page(title, lines, signature, seal=None):
    """A slightly crooked grey A4 page at 100 dpi, as a PDF."""
    from PIL import Image, ImageDraw, ImageFont

    body, heading = ImageFont.truetype(FONT, 22, index=SC), ImageFont.truetype(FONT, 34, index=SC)
    page = Image.new("RGB", (827, 1169), (244, 243, 238))
    draw = ImageDraw.Draw(page)
    draw.text((413, 130), title, font=heading, fill=(35, 35, 35), anchor="mm")
    for row, line in enumerate(lines):
        draw.text((90, 210 + row * 46), line, font=body, fill=(45, 45, 45))
    draw.text((330, 1000), signature, font=body, fill=(45, 45, 45))
    if seal:
        draw.ellipse((460, 880, 640, 1060), outline=(200, 40, 40), width=5)
        draw.text((550, 970), seal, font=body, fill=(200, 40, 40), anchor="mm")
    out = io.BytesIO()
    page.rotate(0.5, fillcolor=(244, 243, 238)).save(out, "PDF", resolution=100, quality=55)
    return out.getvalue()


def attach(person, case, kind, title, data, user, day, agreement=None):
    with uploads.stored(data, "application/pdf", "attachments") as stored:
        Attachment.create(person=person, case=case, agreement=agreement, kind=kind, title=title,
                          original_name="扫描件%s.pdf" % day.strftime("%Y%m%d"), stored_name=stored,
                          mime="application/pdf", size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                          uploaded_by=user, uploaded_at=datetime.combine(day, time(2, 30)))


def build(users):
    """The signed agreement of the story's person and the decision of the next one; their count."""
    try:
        import PIL  # noqa: F401
    except ImportError:
        return {}
    if not os.path.exists(FONT):
        return {}
    first, second = (list(Person.select().order_by(Person.id).limit(2)) + [None, None])[:2]
    made = 0
    case = first and first.current_case()
    agreement = case and Agreement.select().where(Agreement.case == case.id).order_by(Agreement.edition.desc()).first()
    if agreement:
        data = scanned_page("社区康复协议" if case.measure == "community_rehab" else "社区戒毒协议", [
            "甲方：%s社区戒毒社区康复工作领导小组办公室" % case.street, "乙方：%s" % first.name,
            "一、乙方应当按照检测计划按时接受尿液检测，不得拒绝或者逃避。",
            "二、乙方离开执行地所在县（市、区）3 日以上的，须书面报告。",
            "三、乙方应当定期与专职工作人员谈话，如实说明生活、就业情况。",
            "四、违反协议的，依照《戒毒条例》第二十条处理。"],
            "乙方（签字）：%s    %s" % (first.name, agreement.signed_on), seal="工作站")
        attach(first, case, "agreement", "第 %d 版协议签字页" % agreement.edition, data, agreement.staff_id,
               agreement.signed_on, agreement)
        made += 1
    case = second and second.current_case()
    if case:
        data = scanned_page("社区戒毒决定书" if case.measure == "community_detox" else "社区康复决定书", [
            case.decision_number, "被决定人：%s" % second.name, "根据《中华人民共和国禁毒法》之规定，",
            "决定对其执行%s，期限 %d 个月。" % (case.measure_label, case.term_months)],
            "贵阳市公安局南明分局    %s" % case.decision_date, seal="公安局")
        attach(second, case, "decision", "决定书（送达回执附后）", data, users["officer"].id, case.served_date)
        made += 1
    return {"附件": made}
