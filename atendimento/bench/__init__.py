"""The desk's benchmarks (`atendimento bench <name>`, names in BENCHES): figures printed only."""

from __future__ import annotations

import importlib

BENCHES = ("relay", "size", "replies", "catchup", "crash", "memory", "fuzz", "api", "faq")


def main(argv: list[str] | None = None) -> int:
    """`python -m atendimento.bench <name> [options]`: run one benchmark."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in BENCHES:
        print(f"usage: python -m atendimento.bench {{{','.join(BENCHES)}}} [options]",
              file=sys.stderr)
        return 2
    module = importlib.import_module(f"atendimento.bench.{args[0]}")
    return module.main(args[1:])
