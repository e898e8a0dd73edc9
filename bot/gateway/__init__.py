"""FastAPI gateway: the one conversation client to Rasa and the channels built on it."""
