# atendimento: slim image, runs as a non-root user, data (session + SQLite) in a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin atendimento
WORKDIR /app

COPY pyproject.toml README.md ./
COPY atendimento ./atendimento
COPY locales ./locales
# Catalogs are read from the .po files and compiled in memory on first use; loading every one
# here fails the build on a broken catalog instead of at run time.
RUN pip install ".[postgres]" \
    && python -c "from atendimento.i18n import Translator; t = Translator(); \
[t.gettext(locale, 'Priority') for locale in t.locales]; print('catalogs:', *t.locales)"
COPY respostas ./respostas

RUN mkdir -p /app/data && chown atendimento:atendimento /app/data
ENV DATA_DIR=/app/data \
    TEXTS_DIR=/app/respostas
VOLUME ["/app/data"]
USER atendimento

CMD ["atendimento", "run"]
