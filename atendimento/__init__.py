"""atendimento: a self-hosted support desk that lives inside Telegram."""

__version__ = "0.1.0"
