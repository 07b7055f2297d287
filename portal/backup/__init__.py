"""Backups of the database and uploads (B1).

manifest.py: what a backup is — its file names, the manifest (hashes, row counts, uploads) and its
             signature, and the checks of a database file both sides share (SHA-256, integrity_check,
             row counts, the online-backup-API copy).
make.py:     making a backup, rotating old ones, the newest one (last_backup), human_size.
restore.py:  verifying a backup against its manifest and restoring it over the live database.
"""
