"""The counter (窓口): cases, procedures, municipal profile, audit, letters."""
