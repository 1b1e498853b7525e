"""The triage engine: content model, loader, conditions and the dialog state machine.

Imports no audio library; tested without one.
"""
