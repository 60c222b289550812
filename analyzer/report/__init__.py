"""Reporters: each takes a ScanResult and writes one artefact; none of them decides anything."""
