"""An application's answers as people read them: option labels, not raw values; file names. Used by
the pages, the e-mails and the PDF, so every place shows the same thing."""
from __future__ import annotations

from dataclasses import dataclass, field

from incubator.programs.models import QuestionType


@dataclass
class AnswerRow:
    """One question as a reader sees it: the label, and the answer as text, a list of option labels,
    or a list of file names (empty when unanswered)."""

    label: str
    type: str
    text: str = ""
    items: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.text and not self.items


def answer_rows(application, locale: str | None) -> list[AnswerRow]:
    """Every question of the season, in order, with its answer for display (labels, not raw values)."""
    answers = {a.question_id: a.value for a in application.answers}
    files: dict[int, list[str]] = {}
    for attachment in application.attachments:
        files.setdefault(attachment.question_id, []).append(attachment.original_name)
    rows = []
    for question in application.season.questions:
        row = AnswerRow(label=question.label_in(locale), type=str(question.type))
        value = answers.get(question.id)
        if question.type == QuestionType.FILE:
            row.items = files.get(question.id, [])
        elif value is None or value == "" or value == []:
            pass
        elif question.type == QuestionType.CHOICE:
            row.text = question.option_label(value, locale)
        elif question.type == QuestionType.MULTI_CHOICE:
            row.items = [question.option_label(v, locale) for v in (value if isinstance(value, list) else [value])]
        else:
            row.text = str(value)
        rows.append(row)
    return rows
