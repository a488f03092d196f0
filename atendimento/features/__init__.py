"""The desk's optional capabilities, one package each (see atendimento/desk/contract.py).

Each package has `feature(core) -> Feature`, which builds the feature's services from the
core's and declares what it adds: commands, buttons, event listeners, inline mode, jobs,
migrations, the settings and texts it reads. app.py lists the enabled ones, in order: menus
and /ajuda follow that order, and a feature may use those listed before it.
"""
