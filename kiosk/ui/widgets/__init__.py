"""Reusable Kivy widgets: themed buttons and labels, keypads, the service bar, overlays."""
