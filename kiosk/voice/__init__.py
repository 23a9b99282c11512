"""The voice renderer: the session said aloud, and speech recognised, in voice mode."""
