"""Peewee models of the station portal, by area, with the queries that return them.

base.py         BaseModel (soft deletion), Versioned (version-checked saves), Revision, check_in()
accounts.py     staff accounts (User, ROLES) and their server-side sessions
audit.py        the append-only, hash-chained audit trail
settings.py     the station's settings
persons.py      persons, their family members, merges of duplicate person files
cases.py        cases (the measure ordered for a person), their events, agreements and release notices
records.py      talks, home visits, risk assessments
tracking.py     screenings (drug tests), absences, incidents reported to the police, breaches, police relapse findings
care.py         counselling sessions, assistance cases and their steps
training.py     trainees, training sessions and attendance, prevention events
attachments.py  scanned documents and photos in a person's file
printing.py     batch printing jobs
once.py         the first answer to a form posted with a one-time token
health.py       the health check's heartbeat (one fixed row)
due.py          今日待办's stored due dates (derived, kept current by every save)
province.py     the province's org tree with the stations' keys, and the packages it received (no person data)
"""
# isort: off
# base first: it imports accounts.py late, which needs BaseModel; persons before cases (see persons.py)
from .base import BaseModel, Revision, Versioned
from .accounts import PROVINCE_ROLES, ROLES, User, UserSession
from .audit import AuditLog
from .settings import Setting
from .persons import RELATIONS, SEXES, FamilyMember, Person, PersonMerge
from .cases import (ACTIVE_STATUSES, CASE_ACTION_BUTTONS, CASE_ACTIONS, CASE_STATUSES, MEASURES, RUNNING_STATUSES,
                    Agreement, Case, CaseEvent, ReleaseNotice)
from .records import (ASSESSMENTS, RISK_LEVELS, SIGNATURES, TALK_KINDS, TALK_PLACES, TALK_TOPICS, VISIT_ANOMALIES,
                      HomeVisit, RiskAssessment, Talk)
from .tracking import (ABSENCE_KINDS, BREACH_KINDS, DECISIONS, DISCOVERED, INCIDENT_KINDS, MISSED_RESULTS, PANELS,
                       RESULTS, SAMPLES, SCREENING_KINDS, Absence, Breach, Incident, RelapseFinding, Screening)
from .printing import JOB_STATUSES, PrintJob
from .training import (ATTENDANCE, AUDIENCE_GROUPS, MARKS, EVENT_FORMATS, TRAINEE_TYPES, TRAINING_TOPICS, VENUE_TYPES,
                       Attendance, EventPhoto, EventVolunteer, PreventionEvent, Trainee, TrainingSession)
from .care import (ASSISTANCE_CATEGORIES, ASSISTANCE_STATUSES, COUNSELLING_MODES, OPEN_ASSISTANCE, PARTNERS,
                   PRESENTING, SCALES, AssistanceCase, AssistanceStep, CounsellingSession)
from .attachments import ATTACHMENT_KINDS, ATTACHMENT_TYPES, Attachment
from .once import FormAnswer
from .health import Heartbeat
from .due import DueDate, DueStale
from .province import LEVELS, VIA, OrgUnit, Package, PackageValue
# isort: on

MODELS = [User, UserSession, AuditLog, Setting, Person, Case, FamilyMember, Talk, HomeVisit, RiskAssessment,
          Revision, Screening, Absence, CaseEvent, Agreement, Incident, Breach,
          PrintJob, CounsellingSession, AssistanceCase, AssistanceStep, Trainee, TrainingSession, Attendance,
          PreventionEvent, EventVolunteer, EventPhoto, Attachment, PersonMerge, RelapseFinding, ReleaseNotice,
          FormAnswer, Heartbeat, DueDate, DueStale]
# The province's schema (portal/province/migrations): the shared core and its own tables, no person data.
PROVINCE_MODELS = [User, UserSession, AuditLog, Setting, FormAnswer, OrgUnit, Package, PackageValue, Heartbeat]
