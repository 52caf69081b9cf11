"""Settings: everything in base.py; demo, test and production only set defaults."""
