"""Telegram adapter: the only code outside the sandbox that imports pyrogram."""
