"""Supervisor console (issue 6): approvals, overdue second visits, letters, failed
card operations, daily counts and the audited CSV export, all office-scoped."""
