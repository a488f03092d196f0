"""Desk services: one use case each, talking to Telegram and storage through ports."""
