"""个案摘要: the case summary PDF, by print profile and the sections chosen at print time.

A profile or a section only narrows what the same user may read on screen (SECURITY.md):
full (lead, officers), working copy (workers, for their assigned persons), redacted for case
meetings (the name replaced by the case number, the ID number and addresses masked, free text
left out; a minor's birth year and ID number left out too, minors.py). Every print is audited with its profile and sections.
"""

from flask import Blueprint, render_template, request
from flask_login import current_user
from wtforms import RadioField
from wtforms.validators import InputRequired, ValidationError

from .. import audit, pdf
from ..persons import minors
from ..dates import today
from ..fields import Checklist, Form, clean_controls
from ..models import AssistanceCase, CounsellingSession, HomeVisit, RiskAssessment, Screening, Talk, User
from ..permissions import can, load_person, requires
from ..persons.retention import district_of
from ..records import risk_levels
from ..tracking import views as tracking

bp = Blueprint("summaries", __name__)

PROFILES = {
    "full": ("完整版", "print.full"),
    "working": ("工作副本", "print.working"),
    "redacted": ("会议脱敏版（以个案编号代替姓名）", "print.redacted"),
}
SECTIONS = {"identity": "基本信息", "case": "案件与协议", "risk": "风险评估", "screenings": "检测记录",
            "breaches": "违反协议与报告公安", "talks": "面对面谈话", "visits": "入户走访",
            "counselling": "心理疏导摘要", "assistance": "帮扶救助"}
RECENT = 12  # talks and visits per summary; screenings: the last 24


def profiles_for(user):
    return [(key, label) for key, (label, permission) in PROFILES.items() if can(user, permission)]


def sections_for(user):
    """The sections this role may print: the counselling summary never for officers (SECURITY.md)."""
    return [(key, label) for key, label in SECTIONS.items()
            if key != "counselling" or can(user, "counselling.read")]


class PrintForm(Form):
    profile = RadioField("打印版本", validators=[InputRequired("请选择打印版本。")])
    sections = Checklist("打印内容", choices=list(SECTIONS.items()), default=list(SECTIONS))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.profile.choices = profiles_for(current_user)
        self.sections.choices = sections_for(current_user)
        if not self.is_submitted() and self.profile.choices:
            self.profile.data = self.profile.choices[0][0]  # the fullest version this role may print

    def validate_sections(self, field):
        if not field.data:
            raise ValidationError("请至少选择一项打印内容。")


def mask_address(text):
    """The district only, by the rule anonymisation uses (retention.district_of): 贵阳市南明区**** .
    Never a cut of the free text: an address with no recognisable district is hidden whole."""
    if not text:
        return ""
    district = district_of(text)
    return district + "****" if district else "（地址已隐去）"


def content(person, profile, sections, day, user):
    """What the summary shows: the same records as the screens, narrowed by profile and sections."""
    case = person.current_case()
    file = tracking.essentials(case, day) if case else None
    data = {"person": person, "case": case, "file": file, "profile": profile, "sections": sections,
            "redacted": profile == "redacted", "full": profile == "full", "staff": User.names(),
            "label": case.code if profile == "redacted" and case else person.name,
            "minor": minors.is_minor(person.birth_date, day)}
    if "identity" in sections and profile != "redacted":
        family = list(person.live_family())
        data["family"] = family if profile == "full" else [m for m in family if m.is_guardian]
    if "risk" in sections:
        data["risk"] = risk_levels.current(person.id)
        data["assessments"] = list(RiskAssessment.select().where(
            RiskAssessment.person == person.id, RiskAssessment.is_live())
            .order_by(RiskAssessment.assessed_on.desc()).limit(6))
    if "screenings" in sections and case:
        data["screenings"] = list(tracking.of_case(Screening, case).order_by(Screening.tested_on.desc()).limit(24))
    if "talks" in sections:
        data["talks"] = list(Talk.select().where(Talk.person == person.id, Talk.is_live())
                             .order_by(Talk.held_at.desc()).limit(RECENT))
    if "counselling" in sections and can(user, "counselling.read"):  # the shareable summary, never notes
        data["counselling"] = list(CounsellingSession.select(
            CounsellingSession.held_on, CounsellingSession.mode, CounsellingSession.crisis,
            CounsellingSession.summary).where(CounsellingSession.person == person.id,
                                              CounsellingSession.is_live())
            .order_by(CounsellingSession.held_on.desc()).limit(RECENT))
    if "assistance" in sections:
        data["assistance"] = list(AssistanceCase.select().where(
            AssistanceCase.person == person.id, AssistanceCase.is_live())
            .order_by(AssistanceCase.opened_on.desc()))
    if "visits" in sections:
        data["visits"] = list(HomeVisit.select().where(HomeVisit.person == person.id, HomeVisit.is_live())
                              .order_by(HomeVisit.visited_on.desc()).limit(RECENT))
    return data


def summary_html(person, profile, sections, user):
    """The HTML of one summary, printed by `user` now."""
    return pdf.paper("summaries/summary.html", user, profile_label=PROFILES[profile][0], section_labels=SECTIONS,
                     **content(person, profile, sections, today(), user))


def render_summary(person, profile, sections, user, fetcher=None):
    """The PDF bytes of one summary."""
    return pdf.render(summary_html(person, profile, sections, user), fetcher)


def download_name(person, profile):
    case = person.current_case()
    who = case.code if profile == "redacted" and case else person.name
    return clean_controls("个案摘要-%s-%s.pdf" % (who, today().isoformat()), False)  # also a ZIP entry's name


def check_sections(sections):
    return [s for s in SECTIONS if s in sections]  # in the order of the paper


@bp.route("/persons/<int:person_id>/print", methods=["GET", "POST"])
@requires("persons.print")
def summary(person_id):
    """Choose the profile and sections, then download the PDF; the print is audited first."""
    person = load_person(person_id)
    form = PrintForm()
    if request.method == "GET":
        audit.record("person.view", person, detail={"form": "print"})
    elif form.validate():
        sections = check_sections(form.sections.data)
        audit.record("person.print", person, detail={"profile": form.profile.data, "sections": sections})
        document = render_summary(person, form.profile.data, sections, current_user)
        return pdf.send_pdf(document, download_name(person, form.profile.data))
    return render_template("summaries/print.html", person=person, form=form), 422 if form.errors else 200
