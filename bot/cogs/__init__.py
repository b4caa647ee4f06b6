"""The bot's cogs, loaded as extensions by ``SlateBot.setup_hook`` in this order.

Each module's ``setup(bot)`` builds its cog from the resources on the bot (settings, the open catalog),
so an extension can be reloaded without restarting the process.
"""

EXTENSIONS: tuple[str, ...] = ("bot.cogs.catalog", "bot.cogs.admin", "bot.cogs.announcements")
