"""The faq feature's own migrations (versioned apart from the core's)."""
