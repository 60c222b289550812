"""Table-driven IAM engine cases, one module per feature; each module exposes ``CASES``."""
