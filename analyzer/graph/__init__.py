"""The access graph: who can become which role, and whether MFA stands in the way."""
