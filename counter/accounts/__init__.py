"""Staff accounts: login audit, password policy, second factor, session limits.

Models and services sit below the views, as in counter (docs/architecture.md).
"""
