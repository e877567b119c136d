"""Encrypted backups of the database (`flask backup`, `flask restore-backup`) that honour
erasure: a restore applies again every deletion recorded since the copy was taken."""
