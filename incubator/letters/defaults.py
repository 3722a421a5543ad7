"""The letters a new program starts with: one per kind, in English, Russian and Uzbek (Latin
script). They use only the placeholders of their kind and are tested to validate and render."""
from __future__ import annotations

from incubator.letters.placeholders import LetterKind

LANGUAGES = ("en", "ru", "uz")

_FEEDBACK = {
    "en": ("Feedback from the reviewers:", "We hope the reviewers' feedback will be useful to you:"),
    "ru": ("Отзывы экспертов:", "Надеемся, что отзывы экспертов будут вам полезны:"),
    "uz": ("Ekspertlarning fikr-mulohazalari:", "Ekspertlarning fikr-mulohazalari sizga foydali boʻladi degan umiddamiz:"),
}


def _feedback_block(title: str) -> str:
    return ("{% if feedback %}\n" + title + "\n\n{% for item in feedback %}\n— {{ item }}\n{% endfor %}\n\n"
            "{% endif %}\n")


def _letters(lang: str) -> dict[LetterKind, tuple[str, str]]:
    feedback, feedback_kind = (_feedback_block(title) for title in _FEEDBACK[lang])
    if lang == "ru":
        hello, bye = "Здравствуйте, {{ founder_name }}!\n\n", "С уважением,\nкоманда {{ program_name }}\n"
        follow = "Следить за статусом заявки можно здесь: {{ application_link }}\n\n"
        confirm = ("Чтобы принять предложение, подтвердите участие до {{ offer_deadline }}:\n{{ confirm_link }}\n\n"
                   "Если мы не получим ответа к этому сроку, место может быть предложено другому стартапу.\n\n")
        return {
            LetterKind.ADVANCED: (
                "{{ program_name }}: {{ startup_name }} переходит на этап «{{ next_stage_name }}»",
                hello + "Рады сообщить, что стартап {{ startup_name }} успешно прошёл этап «{{ stage_name }}» "
                "программы {{ program_name }} ({{ season_name }}) и переходит на этап «{{ next_stage_name }}».\n\n"
                + feedback + "В ближайшее время мы сообщим подробности следующего этапа. " + follow + bye),
            LetterKind.REJECTED: (
                "{{ program_name }}: решение по заявке {{ startup_name }}",
                hello + "Благодарим вас за заявку стартапа {{ startup_name }} в программу {{ program_name }} "
                "({{ season_name }}) и за время, которое вы ей уделили.\n\n"
                "К сожалению, по итогам этапа «{{ stage_name }}» ваша заявка не прошла дальше. В этом сезоне мы "
                "получили много сильных заявок, и выбор был непростым.\n\n" + feedback_kind
                + "Желаем успехов в развитии стартапа {{ startup_name }} и будем рады вашим заявкам в следующих "
                "сезонах. Ваша заявка по-прежнему доступна здесь: {{ application_link }}\n\n" + bye),
            LetterKind.WAITLISTED: (
                "{{ program_name }}: {{ startup_name }} в листе ожидания",
                hello + "По итогам этапа «{{ stage_name }}» программы {{ program_name }} ({{ season_name }}) стартап "
                "{{ startup_name }} включён в лист ожидания.\n\n"
                "Сейчас все места заняты. Если место освободится, мы предложим его стартапам из листа ожидания и "
                "сразу же вам напишем. Сейчас от вас ничего не требуется.\n\n" + feedback + follow + bye),
            LetterKind.ACCEPTED_OFFER: (
                "{{ program_name }}: приглашение для {{ startup_name }}",
                hello + "Поздравляем! Мы рады предложить стартапу {{ startup_name }} место в программе "
                "{{ program_name }} ({{ season_name }}).\n\n" + feedback + confirm + bye),
            LetterKind.PROMOTED_FROM_WAITLIST: (
                "{{ program_name }}: для {{ startup_name }} освободилось место",
                hello + "В программе {{ program_name }} ({{ season_name }}) освободилось место, и мы рады "
                "предложить его стартапу {{ startup_name }} из листа ожидания.\n\n" + confirm + bye),
            LetterKind.OFFER_REMINDER: (
                "Напоминание: подтвердите участие в программе {{ program_name }}",
                hello + "Напоминаем, что предложение места в программе {{ program_name }} ({{ season_name }}) для "
                "стартапа {{ startup_name }} ждёт вашего ответа.\n\n" + confirm
                + "Если вы уже ответили, пожалуйста, не обращайте внимания на это письмо.\n\n" + bye),
        }
    if lang == "uz":
        hello, bye = "Hurmatli {{ founder_name }}!\n\n", "Hurmat bilan,\n{{ program_name }} jamoasi\n"
        follow = "Arizangiz holatini bu yerda kuzatib borishingiz mumkin: {{ application_link }}\n\n"
        confirm = ("Taklifni qabul qilish muddati: {{ offer_deadline }}. Ishtirokingizni quyidagi havola orqali "
                   "tasdiqlang:\n{{ confirm_link }}\n\n"
                   "Agar shu muddatgacha javob olmasak, bu oʻrin boshqa startapga taklif qilinishi mumkin.\n\n")
        return {
            LetterKind.ADVANCED: (
                "{{ program_name }}: {{ startup_name }} “{{ next_stage_name }}” bosqichiga oʻtdi",
                hello + "{{ startup_name }} startapi {{ program_name }} dasturining ({{ season_name }}) "
                "“{{ stage_name }}” bosqichini muvaffaqiyatli yakunlab, “{{ next_stage_name }}” bosqichiga "
                "oʻtganini mamnuniyat bilan ma'lum qilamiz.\n\n" + feedback
                + "Keyingi bosqich tafsilotlarini tez orada sizga yuboramiz. " + follow + bye),
            LetterKind.REJECTED: (
                "{{ program_name }}: {{ startup_name }} arizasi boʻyicha qaror",
                hello + "{{ startup_name }} startapi bilan {{ program_name }} dasturiga ({{ season_name }}) ariza "
                "topshirganingiz va unga sarflagan vaqtingiz uchun tashakkur.\n\n"
                "Afsuski, “{{ stage_name }}” bosqichi natijalariga koʻra arizangiz keyingi bosqichga oʻtmadi. Bu "
                "mavsumda koʻplab kuchli arizalar kelib tushdi va tanlov oson boʻlmadi.\n\n" + feedback_kind
                + "{{ startup_name }} ustida ishlashda davom etishingizni va keyingi mavsumlarda yana ariza "
                "topshirishingizni tilab qolamiz. Arizangizni bu yerda koʻrishingiz mumkin: {{ application_link }}\n\n"
                + bye),
            LetterKind.WAITLISTED: (
                "{{ program_name }}: {{ startup_name }} kutish roʻyxatida",
                hello + "{{ program_name }} dasturining ({{ season_name }}) “{{ stage_name }}” bosqichi natijalariga "
                "koʻra {{ startup_name }} startapi kutish roʻyxatiga kiritildi.\n\n"
                "Hozircha barcha oʻrinlar band. Agar oʻrin boʻshasa, uni kutish roʻyxatidagi startaplarga taklif "
                "qilamiz va sizga darhol xabar beramiz. Hozir sizdan hech qanday harakat talab etilmaydi.\n\n"
                + feedback + follow + bye),
            LetterKind.ACCEPTED_OFFER: (
                "{{ program_name }}: {{ startup_name }} uchun taklif",
                hello + "Tabriklaymiz! {{ startup_name }} startapiga {{ program_name }} dasturida ({{ season_name }}) "
                "ishtirok etish uchun oʻrin taklif qilayotganimizdan mamnunmiz.\n\n" + feedback + confirm + bye),
            LetterKind.PROMOTED_FROM_WAITLIST: (
                "{{ program_name }}: {{ startup_name }} uchun oʻrin boʻshadi",
                hello + "{{ program_name }} dasturida ({{ season_name }}) oʻrin boʻshadi va biz uni kutish roʻyxatida "
                "turgan {{ startup_name }} startapiga taklif qilishdan mamnunmiz.\n\n" + confirm + bye),
            LetterKind.OFFER_REMINDER: (
                "Eslatma: {{ program_name }} dasturidagi ishtirokingizni tasdiqlang",
                hello + "{{ program_name }} dasturida ({{ season_name }}) {{ startup_name }} startapi uchun taklif "
                "qilingan oʻrin javobingizni kutmoqda.\n\n" + confirm
                + "Agar allaqachon javob bergan boʻlsangiz, bu xatga e'tibor bermang.\n\n" + bye),
        }
    hello, bye = "Dear {{ founder_name }},\n\n", "Kind regards,\nThe {{ program_name }} team\n"
    follow = "You can follow your application here: {{ application_link }}\n\n"
    confirm = ("To accept the offer, please confirm your place by {{ offer_deadline }}:\n{{ confirm_link }}\n\n"
               "If we do not hear from you by then, the place may be offered to another startup.\n\n")
    return {
        LetterKind.ADVANCED: (
            "{{ program_name }}: {{ startup_name }} moves on to the {{ next_stage_name }} stage",
            hello + "We are pleased to tell you that {{ startup_name }} has passed the {{ stage_name }} stage of "
            "{{ program_name }}, {{ season_name }}, and moves on to the {{ next_stage_name }} stage.\n\n" + feedback
            + "We will write to you soon with the details of the next stage. " + follow + bye),
        LetterKind.REJECTED: (
            "{{ program_name }}: the decision on {{ startup_name }}",
            hello + "Thank you for applying to {{ program_name }}, {{ season_name }}, with {{ startup_name }}, and for "
            "the time you gave to your application.\n\n"
            "We regret to tell you that after the {{ stage_name }} stage your application was not selected to go "
            "further. We received many strong applications this season, and the choice was not easy.\n\n"
            + feedback_kind + "We encourage you to keep building {{ startup_name }} and to apply to our future "
            "seasons. Your application remains available here: {{ application_link }}\n\n" + bye),
        LetterKind.WAITLISTED: (
            "{{ program_name }}: {{ startup_name }} is on the waiting list",
            hello + "After the {{ stage_name }} stage of {{ program_name }}, {{ season_name }}, {{ startup_name }} "
            "has been placed on the waiting list.\n\n"
            "All places are taken for now. If a place becomes available, we will offer it to startups on the waiting "
            "list and write to you at once. Nothing is needed from you at the moment.\n\n" + feedback + follow + bye),
        LetterKind.ACCEPTED_OFFER: (
            "{{ program_name }}: an offer of a place for {{ startup_name }}",
            hello + "Congratulations! We are delighted to offer {{ startup_name }} a place in {{ program_name }}, "
            "{{ season_name }}.\n\n" + feedback + confirm + bye),
        LetterKind.PROMOTED_FROM_WAITLIST: (
            "{{ program_name }}: a place has become available for {{ startup_name }}",
            hello + "A place has become available in {{ program_name }}, {{ season_name }}, and we are pleased to "
            "offer it to {{ startup_name }}, which was on our waiting list.\n\n" + confirm + bye),
        LetterKind.OFFER_REMINDER: (
            "Reminder: please confirm your place in {{ program_name }}",
            hello + "This is a reminder that the offer of a place in {{ program_name }}, {{ season_name }}, for "
            "{{ startup_name }} is awaiting your answer.\n\n" + confirm
            + "If you have already answered, please disregard this message.\n\n" + bye),
    }


def _base_language(locale) -> str:
    code = str(locale or "en").replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else "en"


def default_templates(kind: LetterKind | str, locale) -> tuple[str, str]:
    """(subject, body) of the default letter of this kind in this language ('en', 'ru', 'uz', or a
    locale such as 'ru_RU' or a babel Locale; anything else falls back to English)."""
    return _letters(_base_language(locale))[LetterKind(kind)]
