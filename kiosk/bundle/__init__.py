"""Flow bundles: the flows, receipt templates and locale overrides of a release, one archive."""

MANIFEST_NAME = "manifest.json"
"""The manifest's name inside a bundle, at its root (here, not in `manifest`, so that telling a
bundle from a plain flows folder imports nothing)."""
