"""The voice side of the kiosk: what is spoken for each prompt, and (later) audio routing."""
