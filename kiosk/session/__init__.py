"""A resident's session without Kivy: the state every renderer draws and the one door for input."""
