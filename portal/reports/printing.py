"""Batch printing: case summaries of a filtered set of persons, rendered in a background thread
behind an HTMX progress bar (n of N, cancel). The result downloads once and is then deleted;
each person in the batch is audited as a print by the user who asked for it."""
import io
import logging
import os
import secrets
import threading
import zipfile
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from wtforms import RadioField, SelectField

from .. import audit, pdf
from ..persons import minors
from ..dates import utcnow
from ..db import database
from ..models import MEASURES, Person, PrintJob, User
from ..permissions import holders, requires
from ..persons import views as persons
from ..web.responses import fragment
from . import summaries

bp = Blueprint("printing", __name__, url_prefix="/print")
LOG = logging.getLogger(__name__)
MAX_BATCH = 300  # persons in one batch (ZIP: one PDF at a time, memory stays flat)
MAX_MERGED = 50  # persons in one merged PDF: its pages stay in memory until written (≈260 MB at 50)
KEEP = timedelta(days=1)  # an unread result is deleted after this
INTERRUPTED = "服务重启，生成中断"  # the reason a job whose thread is gone fails with


class BatchForm(summaries.PrintForm):
    measure = SelectField("措施", choices=[("", "全部")] + list(MEASURES.items()), default="")
    status = SelectField("执行状态", choices=list(persons.STATUS_FILTERS.items()), default="current")
    worker = SelectField("责任专干", coerce=int, default=0)
    output = RadioField("输出方式", choices=[("zip", "每人一个 PDF（ZIP 压缩包）"), ("pdf", "合并为一个 PDF")],
                        default="zip")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.worker.choices = [(0, "全部")] + [(u.id, u.display_name) for u in holders("cases.worker")]


def job_path(job, suffix=""):
    return os.path.join(current_app.config["PRINT_DIR"], job.file_name + suffix)


def own_job(job_id):
    """A job of the current user (nobody else sees what another printed), settled as the list shows it."""
    job = PrintJob.get_or_none(PrintJob.id == job_id, PrintJob.user == current_user.id) or abort(404)
    return settle([job])[0]


def settle(jobs):
    """The jobs as they are: a running job whose thread is gone (the portal stopped or crashed while
    it rendered) is marked failed and its partial file deleted, so the list and the job page agree
    and nobody waits for it."""
    threads = {t.name for t in threading.enumerate()}
    lost = [job.id for job in jobs if job.status == "running" and "print-job-%d" % job.id not in threads]
    if not lost:
        return jobs
    interrupt(PrintJob.id.in_(lost))
    return [PrintJob.get_by_id(job.id) if job.id in lost else job for job in jobs]


def interrupt(where):
    """Fail the running jobs matching `where` with the restart reason; delete what they left on disk."""
    jobs = list(PrintJob.select().where(where, PrintJob.status == "running"))
    for job in jobs:
        PrintJob.update(status="failed", error=INTERRUPTED, finished_at=utcnow()).where(
            PrintJob.id == job.id, PrintJob.status == "running").execute()
        if job.file_name:
            remove_files(job)
    return len(jobs)


def recover():
    """At start-up (serve): no job can be running yet, so every "running" one was cut off by the stop."""
    return interrupt(PrintJob.id.is_null(False))


def remove_files(job):
    for suffix in (".part", ""):
        if os.path.exists(job_path(job, suffix)):
            os.remove(job_path(job, suffix))


def expire_old():
    """Delete results nobody downloaded within a day, and whatever a job that did not finish left."""
    for job in PrintJob.select().where(PrintJob.status == "done", PrintJob.finished_at < utcnow() - KEEP):
        remove_files(job)
        PrintJob.update(status="expired").where(PrintJob.id == job.id).execute()
    for job in PrintJob.select().where(PrintJob.status.in_(("cancelled", "failed", "downloaded", "expired")),
                                       PrintJob.file_name.is_null(False)):
        remove_files(job)


@bp.route("/", methods=["GET", "POST"])
@requires("persons.print")
def index():
    """Choose the persons (by the list's filters), the profile and sections, and start the batch."""
    form = BatchForm()
    if request.method == "POST" and form.validate():
        filters = {"q": "", "measure": form.measure.data, "status": form.status.data, "worker": form.worker.data}
        chosen = persons.filtered(filters).select(Person.id)
        adults = chosen.where(Person.birth_date <= minors.cutoff())  # minors are left out, as in exports
        ids = [p.id for p in adults.order_by(Person.name_pinyin, Person.id).limit(MAX_BATCH + 1)]
        left_out = chosen.where(Person.birth_date > minors.cutoff()).count()
        if left_out:
            flash("未满 %d 周岁人员 %d 人不列入批量打印（与导出相同）；确需打印的，请在其档案页单独打印。"
                  % (minors.MINOR_AGE, left_out), "info")
        if not ids:
            form.form_errors.append("没有符合条件的人员。")
        elif len(ids) > MAX_BATCH:
            form.form_errors.append("符合条件的超过 %d 人，请缩小范围（如按专干或措施分批打印）。" % MAX_BATCH)
        elif form.output.data == "pdf" and len(ids) > MAX_MERGED:
            form.form_errors.append("符合条件的有 %d 人：合并为一个 PDF 最多 %d 人，请选择 ZIP 压缩包或缩小范围。"
                                    % (len(ids), MAX_MERGED))
        else:
            return start(form, ids, left_out)
    jobs = settle(list(PrintJob.select().where(PrintJob.user == current_user.id).order_by(PrintJob.id.desc())
                       .limit(10)))
    return render_template("printing/index.html", form=form, jobs=jobs), 422 if form.errors or \
        form.form_errors else 200


def start(form, ids, left_out=0):
    expire_old()
    os.makedirs(current_app.config["PRINT_DIR"], exist_ok=True)
    sections = summaries.check_sections(form.sections.data)
    with database.atomic():
        job = PrintJob.create(user=current_user.id, profile=form.profile.data, sections=",".join(sections),
                              output=form.output.data, person_ids=",".join(map(str, ids)), total=len(ids),
                              file_name=secrets.token_hex(16))
        audit.record("print.batch", job, detail={"profile": job.profile, "sections": sections,
                                                          "persons": len(ids), "output": job.output,
                                                          "minors_left_out": left_out})
    worker = threading.Thread(target=run, args=(current_app._get_current_object(), job.id), daemon=True,
                              name="print-job-%d" % job.id)
    worker.start()
    return redirect(url_for("printing.job", job_id=job.id))


def run(app, job_id):
    """The background thread: render each summary, report progress, stop when cancelled."""
    with app.app_context():
        database.connect(reuse_if_open=True)
        job = PrintJob.get_by_id(job_id)
        try:
            render_job(job)
        except Exception as exc:  # noqa: BLE001 - the user must learn the batch failed, whatever the cause
            LOG.exception("print job %d failed", job_id)
            PrintJob.update(status="failed", error=str(exc)[:500], finished_at=utcnow()).where(
                PrintJob.id == job_id, PrintJob.status == "running").execute()
        finally:
            if PrintJob.get_by_id(job_id).status != "done":
                remove_files(job)  # cancelled or failed: nothing of it stays on disk
            database.close()


def render_job(job):
    user, sections = User.get_by_id(job.user_id), job.sections.split(",")
    part = job_path(job, ".part")
    documents, archive = [], None
    if job.output == "zip":
        archive = zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED)
    try:
        for done, person_id in enumerate(map(int, job.person_ids.split(",")), 1):
            if PrintJob.get_by_id(job.id).status != "running":
                return  # cancelled
            person = Person.get_or_none(Person.id == person_id, Person.listed())
            if person is None:
                continue  # deleted since the batch started
            html = summaries.summary_html(person, job.profile, sections, user)
            with database.atomic():
                audit.record("person.print", person, user=user,
                             detail={"profile": job.profile, "sections": sections, "batch": job.id})
                PrintJob.update(done=done).where(PrintJob.id == job.id).execute()
            if archive:
                archive.writestr("%03d-%s" % (done, summaries.download_name(person, job.profile)), pdf.render(html))
            else:
                documents.append(pdf.document(html))
    finally:
        if archive:
            archive.close()
    if documents:
        pdf.merge(documents, part)
    os.replace(part, job_path(job))
    PrintJob.update(status="done", finished_at=utcnow()).where(PrintJob.id == job.id,
                                                               PrintJob.status == "running").execute()


@bp.get("/<int:job_id>")
@requires("persons.print")
def job(job_id):
    """The progress of a batch (polled by HTMX every second while it runs)."""
    return fragment("printing/_job.html", "批量打印进度", job=own_job(job_id))


@bp.post("/<int:job_id>/cancel")
@requires("persons.print")
def cancel(job_id):
    """Stop a running batch; what was rendered so far is deleted."""
    job = own_job(job_id)
    with database.atomic():
        if PrintJob.update(status="cancelled", finished_at=utcnow()).where(
                PrintJob.id == job.id, PrintJob.status == "running").execute():
            audit.record("print.cancel", job, detail={"done": job.done, "total": job.total})
    remove_files(job)
    return fragment("printing/_job.html", "批量打印进度", job=PrintJob.get_by_id(job.id))


@bp.get("/<int:job_id>/download")
@requires("persons.print")
def download(job_id):
    """The result, once: it is read, deleted from disk, and the job marked downloaded."""
    job = own_job(job_id)
    path = job_path(job)
    with database.atomic():
        claimed = PrintJob.update(status="downloaded").where(PrintJob.id == job.id, PrintJob.status == "done").execute()
        if not claimed or not os.path.exists(path):
            flash("该批量打印结果已下载或已删除，如需再次打印请重新生成。", "error")
            return redirect(url_for("printing.index"))
        audit.record("print.download", job, detail={"persons": job.total})
        with open(path, "rb") as f:
            body = f.read()
        os.remove(path)
    name = "个案摘要-批量-%d人.%s" % (job.total, job.output)
    return send_file(io.BytesIO(body), as_attachment=True, download_name=name,
                     mimetype="application/zip" if job.output == "zip" else "application/pdf")
