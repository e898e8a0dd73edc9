"""The assistant's service side: Rasa domain/stories (bot/domain, bot/data) and the FastAPI gateway."""
