"""Rasa custom actions (rasa-sdk): thin adapters between the tracker and `knowledge/`."""
