"""The existing bot of `atendimento sandbox --parallel`: a small sales funnel written against
the Bot API over plain HTTP (long-polling getUpdates, as any bot library does), so the desk can
be watched recording another system's dialogs. It greets with buttons, answers a press, echoes
what clients write."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aiohttp

KEYBOARD = {"inline_keyboard": [[{"text": "Preços", "callback_data": "prices"},
                                  {"text": "Site", "url": "https://example.org"}]]}


class ExampleBot:
    def __init__(self, base_url: str, token: str) -> None:
        self.url = f"{base_url}{token}/"
        self.offset = 0
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()
        self._task = asyncio.create_task(self._poll())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._session.close()

    async def call(self, method: str, **params: Any) -> Any:
        async with self._session.post(self.url + method, json=params) as answer:
            return (await answer.json()).get("result")

    async def _poll(self) -> None:
        while True:
            updates = await self.call("getUpdates", offset=self.offset, timeout=30)
            for update in updates or ():
                self.offset = update["update_id"] + 1
                await self.handle(update)

    async def handle(self, update: dict) -> None:
        if query := update.get("callback_query"):
            await self.call("answerCallbackQuery", callback_query_id=query["id"])
            await self.call("sendMessage", chat_id=query["from"]["id"],
                            text="A tabela de preços está em example.org/precos")
            return
        message = update.get("message") or {}
        chat, text = message.get("chat", {}).get("id"), message.get("text")
        if chat is None or text is None:
            return
        if text.startswith("/start"):
            name = message["from"].get("first_name", "")
            await self.call("sendMessage", chat_id=chat, text=f"Olá, {name}! Sou o bot da loja.",
                            reply_markup=KEYBOARD)
        else:
            await self.call("sendMessage", chat_id=chat, text=f"Recebido: {text}")
