"""Signed flow updates over The Update Framework: the repository side and the kiosk side."""
