"""The desk's core: the relay both ways (clientside, teamside), threads and cards, the outbox and
its lanes, the team's membership, and what features plug into (contract, registry, events).
Optional capabilities live in atendimento/features/, one package each."""
