"""The Kivy touchscreen: renderer, screens, widgets, themes and fonts (the only kivy importer).

Importing this package does not import kivy; `kiosk.ui.theme`, `kiosk.ui.fonts` and
`kiosk.ui.pinyin_index` are usable without a window. `kiosk.ui.app.KioskApp` is the entry point.
"""
