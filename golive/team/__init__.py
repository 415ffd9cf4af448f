"""Deploying as a team: sign-off policies and approvals, waiting for a person, notifications, follow-ups."""
