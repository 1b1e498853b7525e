"""Triage: the content model with its strict loader, and the engine that walks it. No audio library.

model.py, tree.py and causes.py hold the content types, each read from its YAML by `from_dict`
through reader.py; loader.py loads a content folder; conditions.py evaluates conditions on the
answers; engine.py is one person's triage, with its phases in phases.py and its advice in advice.py.
"""
