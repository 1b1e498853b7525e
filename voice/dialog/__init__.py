"""The dialog layer: one person's session, from the welcome to the advice.

session.py (the policy loop), states.py (states, transitions and the dialog's own steps),
channel.py (speaking, listening, event order), checks.py (confirmations, still there, numbers by
yes/no), device.py (audio device retry), events.py (the protocol's event records and stream),
sentences.py (every spoken sentence filled in) and advice.py (the outcome as spoken).
"""
