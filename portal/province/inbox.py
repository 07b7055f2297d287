"""The package inbox: upload one or many package files; each is verified and stored, or refused with its
reason in Chinese (receiving.py); the packages received, newest first, with the ones they replaced."""
from flask import Blueprint, render_template
from flask_login import current_user

from ..exchange.signing import PackageError
from ..models import OrgUnit, Package
from ..permissions import requires
from . import receiving
from .forms import UploadForm

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
MAX_FILES = 400  # within config.PROVINCE_UPLOAD_BYTES


def render_inbox(form, results=None, status=200):
    received = (Package.select(Package, OrgUnit).join(OrgUnit).order_by(Package.received_at.desc(), Package.id.desc())
                .limit(100))
    return render_template("inbox/index.html", form=form, results=results, received=received), status


@bp.get("/")
@requires("province.manage")
def index():
    return render_inbox(UploadForm())


@bp.post("/")
@requires("province.manage")
def upload():
    """Each file on its own: one refused file never stops the others."""
    form = UploadForm()
    files = [f for f in form.files.data or [] if getattr(f, "filename", "")] if form.validate_on_submit() else []
    if not files or len(files) > MAX_FILES:
        form.files.errors = ["请选择要导入的报送包文件（一次最多 %d 个）。" % MAX_FILES]
        return render_inbox(form, status=422)
    results = [one(f.filename, f.read()) for f in files]
    return render_inbox(UploadForm(formdata=None), results, 200 if all(r["ok"] for r in results) else 422)


def one(filename, data):
    try:
        package, replaced = receiving.receive(data, "upload", current_user, filename)
    except PackageError as exc:
        return {"file": filename, "ok": False, "reason": str(exc)}
    return {"file": filename, "ok": True, "station": package.station, "month": package.month, "replaced": replaced}
