"""What each staff role may do with letters (added to counter.roles' groups).

Supervisors see and act on every list (retry, mailed, returned, answered, print
runs); clerks see the letters of their office's cases; auditors read.
"""

LETTER_ROLE_PERMISSIONS: dict[str, list[str]] = {
    "clerk": [
        "counter.view_inquiryletter",
        "counter.view_letterstatuschange",
    ],
    "supervisor": [
        "counter.view_inquiryletter",
        "counter.change_inquiryletter",
        "counter.view_letterstatuschange",
        "counter.view_printrun",
        "counter.change_printrun",
    ],
    "auditor": [
        "counter.view_inquiryletter",
        "counter.view_letterstatuschange",
        "counter.view_printrun",
    ],
}
