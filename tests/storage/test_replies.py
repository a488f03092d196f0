"""Saved replies: create, read, update, delete, use counting, ready answers from files."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atendimento.storage import ConflictError, NotFoundError, Tables, replies

from .conftest import BIG_USER_ID, NOW

LATER = NOW + timedelta(hours=2)
ENTITIES = [{"type": "bold", "offset": 0, "length": 4}, {"type": "url", "offset": 5, "length": 3}]


def test_text_reply_round_trip(tables: Tables) -> None:
    added = replies.add(
        tables,
        title="Prazo de entrega",
        keywords=["prazo", "entrega", "frete"],
        text="Olá! O prazo é de 3 dias úteis 🚚",
        entities=ENTITIES,
        created_by=BIG_USER_ID,
        now=NOW,
    )

    got = replies.get(tables, added.id)
    assert got == added
    assert got.keywords == ("prazo", "entrega", "frete")
    assert got.entities == ENTITIES
    assert (got.uses, got.last_used_at, got.source, got.file_path) == (0, None, "telegram", None)
    assert not got.is_media


def test_media_reply(tables: Tables) -> None:
    added = replies.add(
        tables,
        title="Tabela",
        media_type="photo",
        file_id="AgACAgEAAxkBAAIBZ2X-long-file-id",
        caption="Tabela de preços",
        entities=[{"type": "italic", "offset": 0, "length": 6}],
        now=NOW,
    )
    assert added.is_media and added.text is None
    assert (added.media_type, added.caption) == ("photo", "Tabela de preços")


@pytest.mark.parametrize(
    "content",
    [
        {},
        {"text": ""},
        {"text": "hi", "file_id": "F", "media_type": "photo"},
        {"file_id": "F"},
        {"text": "hi", "caption": "c"},
    ],
)
def test_content_must_be_text_or_media(tables: Tables, content: dict) -> None:
    with pytest.raises(ValueError):
        replies.add(tables, title="x", now=NOW, **content)


def test_update_and_delete(tables: Tables) -> None:
    added = replies.add(tables, title="Old", keywords=["a"], text="old text", now=NOW)

    updated = replies.update(tables, added.id, title="New", keywords=["b", "c"], now=LATER)
    assert (updated.title, updated.keywords, updated.text) == ("New", ("b", "c"), "old text")
    assert updated.updated_at == LATER and updated.created_at == NOW

    as_media = replies.update(
        tables, added.id, text=None, media_type="document", file_id="BQAC", now=LATER
    )
    assert as_media.is_media
    with pytest.raises(ValueError):
        replies.update(tables, added.id, media_type=None, now=LATER)
    with pytest.raises(TypeError, match="uses"):
        replies.update(tables, added.id, uses=99, now=LATER)

    assert replies.delete(tables, added.id) is True
    assert replies.delete(tables, added.id) is False
    assert replies.get(tables, added.id) is None
    with pytest.raises(NotFoundError):
        replies.update(tables, added.id, title="gone", now=LATER)


def test_use_counting(tables: Tables) -> None:
    added = replies.add(tables, title="T", text="t", now=NOW)

    replies.record_use(tables, added.id, now=NOW)
    used = replies.record_use(tables, added.id, now=LATER)

    assert (used.uses, used.last_used_at) == (2, LATER)
    with pytest.raises(NotFoundError):
        replies.record_use(tables, 404, now=LATER)


def test_ready_answers_from_files_keep_their_uses(tables: Tables) -> None:
    path = "respostas/pt_BR/horario.md"
    first = replies.upsert_from_file(
        tables, file_path=path, title="Horário", text="Das 9h às 18h", keywords=["hora"], now=NOW
    )
    assert (first.source, first.file_path, first.created_by) == ("file", path, None)
    replies.record_use(tables, first.id, now=NOW)

    reloaded = replies.upsert_from_file(
        tables, file_path=path, title="Horário", text="Das 8h às 18h", now=LATER
    )

    assert reloaded.id == first.id and reloaded.uses == 1
    assert reloaded.text == "Das 8h às 18h" and reloaded.keywords == ()
    assert replies.get_by_file_path(tables, path) == reloaded
    replies.add(tables, title="mine", text="x", now=NOW)
    assert [r.id for r in replies.list_all(tables, source="file")] == [first.id]
    assert len(replies.list_all(tables)) == 2


def test_file_path_is_unique_and_only_for_file_source(tables: Tables) -> None:
    replies.add(tables, title="a", text="a", source="file", file_path="r/a.md", now=NOW)
    with pytest.raises(ConflictError):
        replies.add(tables, title="b", text="b", source="file", file_path="r/a.md", now=NOW)
    with pytest.raises(ValueError):
        replies.add(tables, title="c", text="c", file_path="r/c.md", now=NOW)
    with pytest.raises(ValueError):
        replies.add(tables, title="d", text="d", source="file", now=NOW)


def test_ready_answer_keeps_its_language_and_an_unchanged_file_writes_nothing(
        tables: Tables) -> None:
    first = replies.upsert_from_file(tables, file_path="pt_BR/prontas/prazo.md", title="Prazo",
                                     text="5 dias", keywords=("prazo",), now=NOW,
                                     language="pt_BR")
    again = replies.upsert_from_file(tables, file_path="pt_BR/prontas/prazo.md", title="Prazo",
                                     text="5 dias", keywords=iter(["prazo"]), now=LATER,
                                     language="pt_BR")
    assert first.language == "pt_BR"
    assert again == first  # same content: updated_at untouched

    changed = replies.upsert_from_file(tables, file_path="pt_BR/prontas/prazo.md",
                                       title="Prazo", text="7 dias", keywords=("prazo",),
                                       now=LATER, language="pt_BR")
    assert (changed.id, changed.text, changed.updated_at) == (first.id, "7 dias", LATER)


def test_files_gone_are_deleted_and_telegram_replies_stay(tables: Tables) -> None:
    kept = replies.upsert_from_file(tables, file_path="pt_BR/prontas/a.md", title="A",
                                    text="a", now=NOW, language="pt_BR")
    gone = replies.upsert_from_file(tables, file_path="pt_BR/prontas/b.md", title="B",
                                    text="b", now=NOW, language="pt_BR")
    saved = replies.add(tables, title="C", text="c", now=NOW)

    assert replies.delete_files_except(tables, ["pt_BR/prontas/a.md"]) == [gone.id]
    assert [r.id for r in replies.list_all(tables)] == [kept.id, saved.id]
    assert replies.delete_files_except(tables, ["pt_BR/prontas/a.md"]) == []
