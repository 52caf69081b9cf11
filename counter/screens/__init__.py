"""Clerk screens (issue 6): server-rendered, Japanese, keyboard-first.

Views here only read through selectors and change things through services
(counter.services.cases); what a screen adds is the order of the steps, the desk
the clerk sits at, and how a refusal is shown.
"""
