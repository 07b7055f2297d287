"""Jinja filters and globals shared by every template."""
import re

from flask import current_app
from markupsafe import Markup, escape
from peewee import PeeweeException

from . import idcard, models
from .persons import minors
from .audit.labels import ACTION_LABELS, OBJECT_LABELS, audit_detail, revision_fields
from .backup.make import human_size
from .dates import local, today, undated, utcnow
from .models import Setting
from .permissions import may, reads_details, reads_notes
from .records.risk_levels import FACTORS
from .reports import summaries
from .settings import station_name
from .tracking import breaches


def choice(code, table):
    """The Chinese label of a stored code, from the named table in models (e.g. TALK_PLACES)."""
    return getattr(models, table).get(code, code)


def localtime(dt):
    return local(dt).strftime("%Y-%m-%d %H:%M") if dt else ""




def fingerprint_groups(text):
    """A fingerprint ("EF:14:…", "6b5f 03a1 …") whose lines break only between groups, as people compare
    them group by group: each group in a no-wrap span, a break allowed after each separator."""
    parts = re.split(r"([: ])", str(text or ""))
    html = "".join('<span class="fp">%s</span>' % escape(part) if i % 2 == 0 else
                   (":<wbr>" if part == ":" else " ") for i, part in enumerate(parts))
    return Markup(html)


def short_day(day):
    """A date as MM-DD in the current year, with its year otherwise (a 2023 assessment must not look current)."""
    day = str(day or "")[:10]
    return day[5:] if day[:4] == str(today().year) else day


def hours(value):
    """Training hours as people write them: 7, 3.5 (never 7.0 beside 4)."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def age(birth):
    now = today()
    return now.year - birth.year - ((now.month, now.day) < (birth.month, birth.day))


def template_context():
    """Station name, the demo flag and whom to ask (a station's lead, the province's administrator);
    pages still render when the database is unavailable."""
    administrator = "省局系统管理员" if current_app.config["INSTANCE"] == "province" else "站长"
    try:
        return {"station_name": station_name(), "now_utc": utcnow, "administrator": administrator,
                "demo_instance": Setting.select().where(Setting.key == "demo", Setting.value == "1").exists()}
    except PeeweeException:
        return {"station_name": current_app.config["STATION_NAME"], "demo_instance": False, "now_utc": utcnow,
                "administrator": administrator}


def init_app(app):
    app.add_template_filter(idcard.mask, "mask")
    app.add_template_filter(idcard.mask_name, "mask_name")
    app.add_template_filter(localtime)
    app.add_template_filter(age)
    app.add_template_filter(short_day)
    app.add_template_filter(fingerprint_groups)
    app.add_template_filter(hours)
    app.add_template_filter(human_size, "filesize")
    app.add_template_filter(lambda a: ACTION_LABELS.get(a, a), "action_label")
    app.add_template_filter(lambda t: OBJECT_LABELS.get(t, t), "object_label")
    app.add_template_filter(audit_detail)
    app.add_template_filter(choice)
    app.add_template_filter(revision_fields)
    app.add_template_filter(lambda codes: "、".join(FACTORS.get(c, c) for c in codes.split(",") if c),
                            "factor_labels")
    app.add_template_filter(lambda a: breaches.absence_days(a.leave_on, a.return_on), "absence_days")
    app.add_template_filter(summaries.mask_address, "mask_address")
    app.add_template_filter(lambda case: minors.hidden(case.helped_birth_date), "minor_hidden")
    app.add_template_filter(lambda key: summaries.PROFILES.get(key, (key,))[0], "choice_profile")
    app.add_template_global(may)
    app.add_template_global(undated)
    app.add_template_global(reads_notes)
    app.add_template_global(reads_details)
    app.context_processor(template_context)
