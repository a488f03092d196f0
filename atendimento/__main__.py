"""Lets `python -m atendimento` behave like the `atendimento` command."""

from atendimento.cli import main

raise SystemExit(main())
