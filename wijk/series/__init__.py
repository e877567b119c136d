"""Recurring activities: rules, their dates, and the owner cancelling or moving one."""
