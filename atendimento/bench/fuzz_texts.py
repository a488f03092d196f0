"""What the fuzz bench (`fuzz.py`) types: odd texts, commands with random arguments, deep-link
parameters, and callback data no button of the desk carries. All drawn from one seeded
`random.Random`, so a run replays exactly."""

from __future__ import annotations

import random

# Texts people really send, and texts that break naive code: long ones, emoji-only, astral
# characters, right-to-left, control characters (no NUL: Telegram strips it), zero-width
# characters, markup-looking text, and texts of exactly 4096 UTF-16 code units (the limit).
ODD = (
    "Oi, preciso de ajuda com meu pedido",
    "obrigado!",
    "🙂",
    "👍🏽",
    "👨‍👩‍👧‍👦",
    "🇧🇷🇵🇹",
    "😀" * 50,
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𓀀𓀁 🀄",
    "مرحبا، أحتاج مساعدة",
    "שלום עולם",
    "\u202eevil\u202c text",
    "tab\there\nnew line\nend",  # no \r: Telegram's apps remove it
    "\x01\x02\x1f control",
    "zero\u200bwidth\u200djoin\ufeff",
    "*bold* _italic_ `code` [link](http://example.com)",
    "<b>html</b> &amp; <i>tags</i>",
    "**dois** __sublinhado__ ~~riscado~~ ||spoiler||",
    "a" * 3000,
    "ação " * 400,
    "x" * 4094 + "😀",  # 4096 UTF-16 units, the emoji last
    "😀" * 2048,  # 4096 UTF-16 units of astral characters
    "é" * 4096,
    "x" * 199 + "😀" + "y" * 3000,  # a preview cut (200) right after an astral character
    "y" * 119 + "👨‍👩‍👧" + " tail",  # a cut (120) inside a joined emoji
    "/ not a command",
    "//double slash",
    "/123",
    "/fim@outro_bot obrigado",
    "@sandbox_bot olá",
    "#c123 #aberto",
    "https://t.me/c/1/2?comment=3",
)
# Telegram's apps send no leading or trailing white space (TDLib strips it), nor does the
# bot's copy keep any (kurigram strips texts it parses): none here either.
ODD = tuple(t.strip() for t in ODD)
# Short texts for captions (at most 1024 UTF-16 units) and poll options (at most 100).
SHORT = tuple(t for t in ODD if len(t.encode("utf-16-le")) // 2 <= 200)
OPTIONS = ("Sim", "Não", "Talvez 🤔", "مرحبا", "𝔄", "manhã", "tarde", "noite", "1", "2")

TEAM_COMMANDS = ("fim", "end", "p", "prioridade", "priority", "ban", "banir", "desbanir",
                 "unban", "resposta", "salvar", "save")
PRIORITY_ARGUMENTS = ("", "1", "2", "3", "4", "0", "5", "99", "-1", "urgente", "alta",
                      "normal", "baixa", "urgent", "high", "low", "Alta", "🔥", "1 2",
                      "alta agora", "١", "x" * 80)
UNKNOWN_COMMANDS = ("start", "help", "xyz", "fimm", "p2", "notificacoes on", "respostas",
                    "cliente", "A" * 32)
CLIENT_COMMANDS = ("help", "menu 1 2", "fim", "p 1", "cliente", "equipe", "cancelar",
                   "respostas", "resposta prazo", "notificacoes on", "notificacoes off",
                   "start@sandbox_bot", "start@outro_bot x", "ajuda agora", "ban")
DEEP_LINKS = ("site", "promo_2026", "instagram", "a" * 64, "b" * 65, "🔥", "%20x", "ok-1",
              "dois termos", "")


def text(rng: random.Random, *, short: bool = False) -> str:
    return rng.choice(SHORT if short else ODD)


def tagged(rng: random.Random, serial: str, *, short: bool = False,
           odd_share: float = 0.25) -> str:
    """Mostly an odd text with a unique tag (so the oracle can tell copies apart), sometimes
    the odd text alone (its exact length and shape matter)."""
    base = text(rng, short=short)
    if rng.random() < odd_share:
        return base
    tag = f" ·{serial}"
    limit = 1000 if short else 4096
    if len(base.encode("utf-16-le")) // 2 + len(tag) > limit:
        base = base[: 200]
    return base + tag


def options(rng: random.Random) -> list[str]:
    return rng.sample(OPTIONS, rng.randint(2, 6))


def team_command(rng: random.Random) -> str:
    """A thread command with random arguments, now and then addressed to the bot or to
    another one, or followed by a second line."""
    roll = rng.random()
    if roll < 0.15:
        return "/" + rng.choice(UNKNOWN_COMMANDS)
    name = rng.choice(TEAM_COMMANDS)
    if name in ("p", "prioridade", "priority"):
        argument = rng.choice(PRIORITY_ARGUMENTS)
    elif name in ("ban", "banir"):
        argument = rng.choice(("", "spam", "ofensas 🤬", "x" * 300))
    elif name in ("resposta", "salvar", "save"):
        argument = rng.choice(("", "prazo de entrega", "horário"))
    else:
        argument = rng.choice(("", "", "agora", "2"))
    head = f"/{name}"
    if rng.random() < 0.1:
        head = f"/{name.upper()}"
    if rng.random() < 0.1:
        head += "@sandbox_bot"
    line = f"{head} {argument}".rstrip()
    if rng.random() < 0.05:
        line += "\nobrigado pela paciência"
    return line


def client_command(rng: random.Random) -> str:
    return "/" + rng.choice(CLIENT_COMMANDS)


def forged_data(rng: random.Random, thread_ids: list[int], reply_ids: list[int]) -> bytes:
    """Callback data a modified app could send: the desk's shapes with ids that are not
    numbers, beyond 64 bits, negative, NUL bytes, unknown verbs, empty, random bytes."""
    some_thread = str(rng.choice(thread_ids or [1]))
    some_reply = str(rng.choice(reply_ids or [1]))
    choices = [
        b"",
        b"p:",
        b"p:abc:urgent",
        b"p:" + str(2**64 + 7).encode() + b":high",
        b"p:99999999999999999999999999:low",
        b"p:-1:low",
        b"p:" + some_thread.encode() + b":urgent",  # well formed: only an admin may
        b"p:" + some_thread.encode() + b":nope",
        b"p:" + some_thread.encode() + b":urgent:extra",
        b"p:\x00:urgent",
        "p:١:urgent".encode(),
        b"p:1_0:high",
        b"r:",
        b"r:y:" + some_reply.encode(),  # delete a saved reply: only the team may
        b"r:d:" + some_reply.encode() + b":0",
        b"r:l:-5",
        b"r:l:99999999999999999999999",
        b"r:o:abc",
        b"r:z:1",
        b"r:n:" + some_reply.encode(),
        b"x:1:2",
        b"\xff\xfe\xfd",
        b"\x00" * 8,
        "🔥:💥".encode(),
        rng.randbytes(rng.randint(1, 64)),
    ]
    data = rng.choice(choices)
    return data[:64]
