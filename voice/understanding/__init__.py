"""Understanding answers: the same grammars serve typed text and speech recognition."""

from .grammar import Grammar, Interpretation, default_grammar_dir

__all__ = ["Grammar", "Interpretation", "default_grammar_dir"]
