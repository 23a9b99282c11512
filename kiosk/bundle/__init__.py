"""Flow bundles: the flows, receipt templates and locale overrides of a release, one archive."""
