"""The chat bot: Discord client and terminal front end over the news index."""
