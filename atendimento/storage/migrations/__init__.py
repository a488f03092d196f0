"""Numbered migrations `mNNNN_<name>.py`, each with `apply(db)`. Each freezes what it creates
(own model snapshot or DDL), never importing `atendimento.storage.tables`, which keeps changing."""
