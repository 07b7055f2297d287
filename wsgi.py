"""WSGI entry point: waitress-serve --call or any WSGI server imports `app`."""
from portal import create_app

app = create_app()
