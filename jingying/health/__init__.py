"""Health and psychological support: checkups, screening, crisis escalation, counselling (issue 6).

Confidential by design: records sit in the `health` and `psych` domains (architecture §4)."""
