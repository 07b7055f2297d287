"""Peewee models of the station portal, by area, with the queries that return them."""
from .core import (ACTIVE_STATUSES, CASE_STATUSES, RUNNING_STATUSES, MEASURES, RELATIONS, ROLES, SEXES, AuditLog, BaseModel, Case,
                   FamilyMember, Person, Setting, User, UserSession, Versioned)
from .records import (ASSESSMENTS, RISK_LEVELS, SIGNATURES, TALK_KINDS, TALK_PLACES, TALK_TOPICS, VISIT_ANOMALIES,
                      HomeVisit, Revision, RiskAssessment, Talk)
from .tracking import (ABSENCE_KINDS, BREACH_KINDS, CASE_ACTION_BUTTONS, CASE_ACTIONS, DISCOVERED, INCIDENT_KINDS,
                       MISSED_RESULTS, PANELS, RESULTS, SAMPLES, SCREENING_KINDS, Absence, Agreement, Breach,
                       CaseEvent, Incident, Screening)
from .printing import JOB_STATUSES, PrintJob
from .training import (ATTENDANCE, AUDIENCE_GROUPS, EVENT_FORMATS, TRAINEE_TYPES, TRAINING_TOPICS, VENUE_TYPES,
                       Attendance, EventPhoto, EventVolunteer, PreventionEvent, Trainee, TrainingSession)
from .care import (ASSISTANCE_CATEGORIES, ASSISTANCE_STATUSES, COUNSELLING_MODES, OPEN_ASSISTANCE, PARTNERS,
                   PRESENTING, SCALES, AssistanceCase, AssistanceStep, CounsellingSession)
from .attachments import ATTACHMENT_KINDS, ATTACHMENT_TYPES, Attachment
from .merges import PersonMerge

MODELS = [User, UserSession, AuditLog, Setting, Person, Case, FamilyMember, Talk, HomeVisit, RiskAssessment,
          Revision, Screening, Absence, CaseEvent, Agreement, Incident, Breach,
          PrintJob, CounsellingSession, AssistanceCase, AssistanceStep, Trainee, TrainingSession, Attendance,
          PreventionEvent, EventVolunteer, EventPhoto, Attachment, PersonMerge]
