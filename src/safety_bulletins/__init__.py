"""Safety Bulletins: parse, validate and index production-safety bulletins (no MkDocs in here).

parse -> validate -> project (a whole folder) -> catalog (index at an as-of date)
-> render / pages / export; sitebuild gathers what one MkDocs build needs.
"""
