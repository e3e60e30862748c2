"""Councils, people and roles, well-being goals, audit log, background-task progress, errors."""
