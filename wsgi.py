"""WSGI entry point for any WSGI server; refuses to serve a database that needs upgrading."""
from portal import create_app, db

app = create_app()
with app.app_context():
    if db.pending():
        raise RuntimeError("数据库需要升级，请先运行 flask --app portal init-db。")
