"""Reading evidence bundles: containers, decoding, kinds, schemas, and readers per kind."""

from analyzer.evidence.bundle import BundleError, Limits
from analyzer.evidence.loader import load_bundle

__all__ = ["BundleError", "Limits", "load_bundle"]
