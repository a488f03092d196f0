"""The translation catalogs, installed as the data package ``atendimento.locales``.

Only ``atendimento.pot`` and ``<lang>/LC_MESSAGES/atendimento.po`` live here; pyproject.toml maps
this folder into the package (``[tool.setuptools.package-dir]``), so a wheel carries it and an
editable install reads these same files. The code that reads and checks them is
``atendimento.i18n`` and ``atendimento.catalogs``.
"""
