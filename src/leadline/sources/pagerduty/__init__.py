"""PagerDuty: v3 webhook deliveries → incident records (``webhook``), and their signature
check (``signature``: ``X-PagerDuty-Signature``). Pure mapping code: no HTTP, no clock.
Rules and reasons: docs/sources-jira-pagerduty.md.
"""
