"""The maintainers' service menu (issue 10): entry, authority, audit, and what its pages do.

Nothing here imports Kivy or a renderer: the menu is a sequence of prompts asked through the
session core, drawn by the touch screen and answered by touch or the tactile keypad like any
resident's question. `menu.ServiceMenu` runs one maintenance visit; the other modules are what
its pages show and do (status, self-tests, doors, outbox, journal export, settings).
"""
