"""Words the generated pages show for the values bulletins hold."""

ALL_UNITS = "All units"

TYPES = {
    "minutes": "Minutes",
    "notice": "Notice",
    "bulletin": "Bulletin",
    "inspection": "Inspection report",
}

STATUSES = {
    "open": "Open",
    "in-progress": "In progress",
    "awaiting-acceptance": "Awaiting acceptance",
    "done": "Done",
    "cancelled": "Cancelled",
}

BUCKETS = {
    "overdue": "Overdue",
    "due-soon": "Due within 7 days",
    "upcoming": "Due within 30 days",
    "later": "Due later",
    "ongoing": "Ongoing",
    "closed": "Closed",
}

GRADES = {
    "general": "General hidden danger",
    "major": "Major hidden danger",
}
