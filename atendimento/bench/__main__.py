"""`python -m atendimento.bench relay|size …`."""

from __future__ import annotations

from atendimento.bench import main

raise SystemExit(main())
