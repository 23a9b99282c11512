"""Back offices: the HTTP client for the configured ones and the built-in demo."""
