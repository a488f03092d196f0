"""Polls (layer 229): the ones people send, and the ones a bot sends with InputMediaPoll (what
kurigram's ``send_poll`` and ``Message.copy`` of a poll make).

A poll is ``MessageMediaPoll(poll=Poll(question=TextWithEntities, answers=[PollAnswer(text,
option)]), results=PollResults)``; a bot sends ``Poll.answers`` as ``InputPollAnswer`` items and
the server gives each its ``option`` bytes. Limits as Telegram's apps enforce them (question
1–255 characters, 2–12 answers of 1–100 characters); votes are not simulated, so results carry
only ``total_voters=0`` (per-answer ``PollAnswerVoters`` would need ``recent_voters``, which
shares ``voters``' flag).
"""

from __future__ import annotations

from pyrogram import raw

from .errors import Fail
from .world import World

T = raw.types
QUESTION_MAX = 255
ANSWERS = (2, 12)
ANSWER_MAX = 100


def _text(text: str) -> raw.types.TextWithEntities:
    return T.TextWithEntities(text=text, entities=[])


def _poll(world: World, question, answers: list, *, multiple: bool, public: bool,
          quiz: bool = False, closed: bool = False, close_period: int | None = None,
          shuffle: bool = False, revoting_disabled: bool = False) -> raw.types.Poll:
    return T.Poll(
        id=world.random.getrandbits(63) or 1,
        question=question,
        answers=answers,
        hash=0,
        closed=closed or None,
        public_voters=public or None,
        multiple_choice=multiple or None,
        quiz=quiz or None,
        shuffle_answers=shuffle or None,
        revoting_disabled=revoting_disabled or None,
        close_period=close_period,
    )


def check(question: str, answers: list[str]) -> None:
    """Refuse what Telegram refuses (the error names of messages.sendMedia)."""
    if not question.strip() or len(question) > QUESTION_MAX:
        raise Fail(400, "POLL_QUESTION_INVALID")
    if not ANSWERS[0] <= len(answers) <= ANSWERS[1]:
        raise Fail(400, "POLL_ANSWERS_INVALID")
    if any(not a.strip() or len(a) > ANSWER_MAX for a in answers):
        raise Fail(400, "POLL_ANSWER_INVALID")
    if len(set(answers)) != len(answers):
        raise Fail(400, "POLL_OPTION_DUPLICATE")


def person_poll(world: World, question: str, options: list[str] | tuple[str, ...], *,
                multiple: bool = False, public: bool = False) -> raw.types.MessageMediaPoll:
    """A regular poll as a person's app sends it (anonymous unless ``public``)."""
    options = list(options)
    try:
        check(question, options)
    except Fail as fail:
        raise ValueError(f"Telegram would refuse this poll: {fail.message}") from None
    answers = [T.PollAnswer(text=_text(o), option=str(i).encode()) for i, o in enumerate(options)]
    poll = _poll(world, _text(question), answers, multiple=multiple, public=public)
    return T.MessageMediaPoll(poll=poll, results=T.PollResults(total_voters=0))


def from_input(world: World, media: raw.types.InputMediaPoll) -> raw.types.MessageMediaPoll:
    """The poll a bot's InputMediaPoll becomes: a new poll id, option bytes "0", "1", ..."""
    given = media.poll
    texts = [getattr(a.text, "text", "") for a in given.answers]
    check(getattr(given.question, "text", ""), texts)
    if given.quiz and not media.correct_answers:
        raise Fail(400, "QUIZ_CORRECT_ANSWERS_EMPTY")
    if any(not 0 <= i < len(texts) for i in media.correct_answers or ()):
        raise Fail(400, "QUIZ_CORRECT_ANSWER_INVALID")
    answers = [T.PollAnswer(text=a.text, option=str(i).encode())
               for i, a in enumerate(given.answers)]
    poll = _poll(world, given.question, answers, multiple=bool(given.multiple_choice),
                 public=bool(given.public_voters), quiz=bool(given.quiz),
                 closed=bool(given.closed), close_period=given.close_period,
                 shuffle=bool(given.shuffle_answers),
                 revoting_disabled=bool(given.revoting_disabled))
    return T.MessageMediaPoll(poll=poll, results=T.PollResults(total_voters=0))


def signature(media) -> tuple[str, tuple[str, ...]] | None:
    """(question, options) of a poll, for comparing a copy with its original."""
    if not isinstance(media, T.MessageMediaPoll):
        return None
    poll = media.poll
    return poll.question.text, tuple(a.text.text for a in poll.answers)
