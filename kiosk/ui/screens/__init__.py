"""One screen per prompt kind (the service menu among them), plus the attract screen.

`kinds.SCREENS` maps each prompt kind to its screen. Importing this package imports none of
them: the kiosk's first frame needs only the attract screen (`attract`), and the others are
imported once it is on screen (`kiosk.ui.shell.preload_screens`).
"""
