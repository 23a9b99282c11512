"""The kiosk's heartbeat to the fleet server: what it reports and when it sends it."""
