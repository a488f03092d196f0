"""What the satisfaction feature says, as English msgids through the desk's translator: to the
client in their language, to the team in LANGUAGE, to an admin in theirs."""

from __future__ import annotations

from atendimento.domain.text import quote
from atendimento.i18n import Translator

NAME_LIMIT = 64


class CsatWording:
    def __init__(self, tr: Translator, team: str) -> None:
        self.tr = tr
        self.team = team

    # --- the client -------------------------------------------------------------------------

    def thanked(self, locale: str, rating: int, low: bool, *, invite: bool) -> str:
        """What the question becomes once answered (its buttons gone); `invite`: the next
        message may be a comment."""
        tr = self.tr
        if low and invite:
            return tr._(locale, "You rated us {rating}/5. We are sorry: someone from the team "
                        "will get back to you here. If you like, tell us in your next message "
                        "what went wrong.", rating=rating)
        if low:
            return tr._(locale, "You rated us {rating}/5. We are sorry: someone from the team "
                        "will get back to you here.", rating=rating)
        if invite:
            return tr._(locale, "Thank you! You rated us {rating}/5. If you like, tell us "
                        "more in your next message.", rating=rating)
        return tr._(locale, "Thank you! You rated us {rating}/5.", rating=rating)

    def rated_note(self, locale: str, rating: int) -> str:
        """The short note shown on the press."""
        return self.tr._(locale, "Thank you! You rated {rating}/5.", rating=rating)

    def already_rated(self, locale: str, rating: int) -> str:
        return self.tr._(locale, "You have already rated this atendimento: {rating}/5.",
                         rating=rating)

    def not_yours(self, locale: str) -> str:
        return self.tr._(locale, "Only the client who was served can rate this atendimento.")

    def expired(self, locale: str, days: int) -> str:
        return self.tr._(locale, "This rating has expired: ratings are accepted for {days} "
                         "days after the end.", days=days)

    def comment_thanks(self, locale: str) -> str:
        return self.tr._(locale, "Thank you for your comment! We have passed it on to the team.")

    # --- the team ---------------------------------------------------------------------------

    def rated_line(self, number: int, rating: int, low: bool, reopened: bool) -> str:
        if reopened:
            return self.tr._(self.team, "⭐ Rating of atendimento #{number}: {rating}/5, so it "
                             "is reopened", number=number, rating=rating)
        if low:
            return self.tr._(self.team, "⭐ Rating of atendimento #{number}: {rating}/5, while "
                             "a new one is open", number=number, rating=rating)
        return self.tr._(self.team, "⭐ Rating of atendimento #{number}: {rating}/5",
                         number=number, rating=rating)

    def comment_line(self, number: int, comment: str) -> str:
        return self.tr._(self.team, "💬 The client's comment on atendimento #{number}: "
                         "“{comment}”", number=number, comment=comment)

    def low_rating_notice(self, locale: str, client: str, number: int, rating: int,
                          link: str) -> str:
        return self.tr._(locale, "⭐ {client} rated atendimento #{number} {rating}/5; their "
                         "thread is open.\n{link}", client=quote(client, NAME_LIMIT),
                         number=number, rating=rating, link=link)
