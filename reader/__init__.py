"""reader: triage large collections of paper abstracts from the keyboard."""

__version__ = "0.1.0"
