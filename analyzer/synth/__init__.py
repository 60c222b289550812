"""Synthetic evidence: AWS CLI v2-shaped outputs, policy documents and bundle writing.

Used by ``fixtures/build_sample_org.py`` (the sample organization) and by generators of larger
synthetic organizations. Modules:

- :mod:`~analyzer.synth.aws_shapes`: every output shape (re-exported from ``shapes_*``);
- :mod:`~analyzer.synth.documents`: policy documents of the centralized identity model;
- :mod:`~analyzer.synth.ids`: deterministic IDs, ARNs and CLI timestamps;
- :mod:`~analyzer.synth.layout`: where each output goes in a bundle;
- :mod:`~analyzer.synth.writer`: rendering and writing a ``{path: content}`` bundle.
"""

from analyzer.synth.writer import read_tree, render_bundle, render_file, write_bundle

__all__ = ["read_tree", "render_bundle", "render_file", "write_bundle"]
