"""Ingestion of activity data files (CSV, XLSX, JSON) into the ledger: read, validate, calculate, code, append.

A file is all-or-nothing: every row is validated and calculated before anything is written, and all of the
problems found are reported together, each naming file, row, column, value and reason.
"""
