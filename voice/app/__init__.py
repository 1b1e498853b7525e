"""The front ends: the `voice-triage` command, the kiosk, the screen, the settings and text mode."""
