"""Domain: plain Python rules of the desk (cards, priorities, relay decisions); no I/O."""
