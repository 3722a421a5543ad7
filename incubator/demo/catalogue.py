"""What the demo programs are made of: organisations, programs, seasons, questions and rubrics
(plain data; seed.py writes it to the database). Facts come from the programs' public reports.
Uzbek is in Latin script."""
from __future__ import annotations

from datetime import date
from decimal import Decimal


def t(en: str, ru: str, uz: str) -> dict:
    return {"en": en, "ru": ru, "uz": uz}


ORGANISATIONS = [
    {"slug": "it-park", "name": "IT Park Uzbekistan", "country": "UZ", "website": "https://it-park.uz"},
    {"slug": "andijan-youth-technopark", "name": "Andijan Youth Technopark", "country": "UZ",
     "website": None},
]

WOMEN_LED = {"rule": "women_led"}
PROGRAMS = [
    {
        "slug": "innox", "name": "InnoX", "org": "andijan-youth-technopark",
        "eligibility_rules": [{"rule": "founder_age", "min": 14, "max": 30}],
        "summary": t(
            "The incubator and accelerator of Andijan Youth Technopark for young founders aged 14 to 30. "
            "In three seasons in 2024-2025 it received 503 applications and selected 140 participants; "
            "82 startup projects were developed and 29 of them attracted 8.31 billion UZS of investment. "
            "Training directions: web programming, SMM, graphic and web design, robotics, cybersecurity "
            "and mobile apps.",
            "Инкубатор и акселератор Андижанского молодёжного технопарка для молодых основателей от 14 до "
            "30 лет. За три сезона 2024–2025 годов подано 503 заявки и отобрано 140 участников; разработано "
            "82 стартап-проекта, 29 из них привлекли 8,31 млрд сумов инвестиций. Направления обучения: "
            "веб-программирование, SMM, графический и веб-дизайн, робототехника, кибербезопасность и "
            "мобильные приложения.",
            "Andijon yoshlar texnoparkining 14 yoshdan 30 yoshgacha boʻlgan yosh asoschilar uchun "
            "inkubatsiya va akseleratsiya dasturi. 2024–2025 yillardagi uch mavsumda 503 ta ariza qabul "
            "qilindi va 140 nafar ishtirokchi tanlandi; 82 ta startap loyiha ishlab chiqildi, ulardan "
            "29 tasi 8,31 mlrd soʻm investitsiya jalb qildi. Taʼlim yoʻnalishlari: veb-dasturlash, SMM, "
            "grafik va veb-dizayn, robototexnika, kiberxavfsizlik va mobil ilovalar.",
        ),
    },
    {
        "slug": "tumaris-tech", "name": "Tumaris.Tech", "org": "it-park",
        "eligibility_rules": [WOMEN_LED, {"rule": "countries", "allowed": ["UZ", "KZ", "KG", "TJ", "TM"]}],
        "summary": t(
            "IT Park's program with USAID for women entrepreneurs from the five Central Asian countries, "
            "running since June 2020. More than 200 women have been trained, 83 projects supported and "
            "50 products developed.",
            "Программа IT Park и USAID для женщин-предпринимателей из пяти стран Центральной Азии, работает "
            "с июня 2020 года. Обучено более 200 женщин, поддержано 83 проекта, создано 50 продуктов.",
            "IT Park va USAID tomonidan Markaziy Osiyoning beshta davlatidagi tadbirkor ayollar uchun "
            "2020-yil iyunidan beri amalga oshirilayotgan dastur. 200 dan ortiq ayol oʻqitildi, 83 ta loyiha "
            "qoʻllab-quvvatlandi va 50 ta mahsulot yaratildi.",
        ),
    },
    {
        "slug": "foundher", "name": "FoundHer", "org": "it-park",
        "eligibility_rules": [WOMEN_LED],
        "summary": t(
            "IT Park's program for women's entrepreneurship: six months of support and mentorship for "
            "women-led startups. Participants have taken part in a startup summit in the USA.",
            "Программа IT Park по развитию женского предпринимательства: полгода поддержки и менторства "
            "для стартапов, которые возглавляют женщины. Участницы побывали на стартап-саммите в США.",
            "IT Parkning ayollar tadbirkorligini rivojlantirish dasturi: ayollar boshchiligidagi startaplar "
            "uchun olti oylik koʻmak va mentorlik. Ishtirokchilar AQShdagi startap sammitida qatnashgan.",
        ),
    },
]

# Closed seasons have fixed dates (Tashkent days, 18:00); open ones are relative to now, in days.
SEASONS = [
    {"program": "innox", "slug": "season-1-2024", "name": "Season 1 (2024)", "quota": 70,
     "opens": date(2024, 3, 1), "closes": date(2024, 4, 1),
     "description": t("The first InnoX season: 170 applications, 70 participants selected.",
                      "Первый сезон InnoX: 170 заявок, отобрано 70 участников.",
                      "InnoXning birinchi mavsumi: 170 ta ariza, 70 nafar ishtirokchi tanlandi.")},
    {"program": "innox", "slug": "season-2-spring-2025", "name": "Season 2 (spring 2025)", "quota": 70,
     "opens": date(2025, 2, 15), "closes": date(2025, 3, 20),
     "description": t("The spring 2025 season: 180 applications, 70 participants selected.",
                      "Весенний сезон 2025 года: 180 заявок, отобрано 70 участников.",
                      "2025-yil bahorgi mavsumi: 180 ta ariza, 70 nafar ishtirokchi tanlandi.")},
    {"program": "innox", "slug": "season-3-autumn-2025", "name": "Season 3 (autumn 2025)", "quota": 50,
     "opens_in": -30, "closes_in": 21, "grace": 15,
     "description": t("Applications are open to teams whose founders are 14 to 30 years old.",
                      "Приём заявок открыт для команд, основателям которых от 14 до 30 лет.",
                      "Ariza qabul qilish asoschilari 14 yoshdan 30 yoshgacha boʻlgan jamoalar uchun "
                      "ochiq.")},
    {"program": "tumaris-tech", "slug": "cohort-2025", "name": "Cohort 2025", "quota": 30,
     "opens_in": -20, "closes_in": 10, "grace": 15,
     "description": t("For women-led startups from Uzbekistan, Kazakhstan, Kyrgyzstan, Tajikistan and "
                      "Turkmenistan.",
                      "Для стартапов, которые возглавляют женщины, из Узбекистана, Казахстана, Кыргызстана, "
                      "Таджикистана и Туркменистана.",
                      "Oʻzbekiston, Qozogʻiston, Qirgʻiziston, Tojikiston va Turkmanistondagi ayollar "
                      "boshchiligidagi startaplar uchun.")},
    {"program": "foundher", "slug": "cohort-2025", "name": "Cohort 2025", "quota": 20,
     "opens_in": -5, "closes_in": 35, "grace": 15,
     "description": t("Six months of support and mentorship for women-led startups.",
                      "Полгода поддержки и менторства для стартапов, которые возглавляют женщины.",
                      "Ayollar boshchiligidagi startaplar uchun olti oylik koʻmak va mentorlik.")},
]


def _opt(value: str, en: str, ru: str, uz: str) -> dict:
    return {"value": value, "label": t(en, ru, uz)}


STAGE_OPTIONS = [
    _opt("idea", "Idea", "Идея", "Gʻoya"),
    _opt("prototype", "Prototype", "Прототип", "Prototip"),
    _opt("mvp", "MVP (first users)", "MVP (первые пользователи)", "MVP (birinchi foydalanuvchilar)"),
    _opt("revenue", "Revenue", "Есть выручка", "Daromad bor"),
]
SUPPORT_OPTIONS = [
    _opt("mentorship", "Mentorship", "Менторство", "Mentorlik"),
    _opt("investment", "Investment", "Инвестиции", "Investitsiya"),
    _opt("marketing", "Marketing", "Маркетинг", "Marketing"),
    _opt("technical", "Technical help", "Техническая помощь", "Texnik yordam"),
    _opt("legal", "Legal and accounting", "Юридические и бухгалтерские вопросы",
         "Yuridik va buxgalteriya masalalari"),
    _opt("office", "Office space", "Офисное пространство", "Ofis joyi"),
]
HEARD_OPTIONS = [
    _opt("telegram", "Telegram channel", "Telegram-канал", "Telegram kanal"),
    _opt("instagram", "Instagram", "Instagram", "Instagram"),
    _opt("friends", "Friends or alumni", "Друзья или выпускники", "Doʻstlar yoki bitiruvchilar"),
    _opt("university", "University", "Университет", "Universitet"),
    _opt("event", "An event or meetup", "Мероприятие или митап", "Tadbir yoki uchrashuv"),
]
DIRECTION_OPTIONS = [
    _opt("web_programming", "Web programming", "Веб-программирование", "Veb-dasturlash"),
    _opt("smm", "SMM", "SMM", "SMM"),
    _opt("design", "Graphic and web design", "Графический и веб-дизайн", "Grafik va veb-dizayn"),
    _opt("robotics", "Robotics", "Робототехника", "Robototexnika"),
    _opt("cybersecurity", "Cybersecurity", "Кибербезопасность", "Kiberxavfsizlik"),
    _opt("mobile_apps", "Mobile apps", "Мобильные приложения", "Mobil ilovalar"),
]
COUNTRY_OPTIONS = [
    _opt("UZ", "Uzbekistan", "Узбекистан", "Oʻzbekiston"),
    _opt("KZ", "Kazakhstan", "Казахстан", "Qozogʻiston"),
    _opt("KG", "Kyrgyzstan", "Кыргызстан", "Qirgʻiziston"),
    _opt("TJ", "Tajikistan", "Таджикистан", "Tojikiston"),
    _opt("TM", "Turkmenistan", "Туркменистан", "Turkmaniston"),
]


def _q(key, type_, label, help_text, required=False, **extra) -> dict:
    return {"key": key, "type": type_, "label": label, "help_text": help_text, "required": required, **extra}


COMMON_QUESTIONS = [
    _q("one_liner", "short_text", t("Your startup in one sentence", "Ваш стартап в одном предложении",
                                    "Startapingiz bir jumlada"),
       t("What you do, for whom, and why it matters.", "Что вы делаете, для кого и почему это важно.",
         "Nima qilasiz, kim uchun va nega bu muhim."), True, max_chars=140),
    _q("problem", "long_text", t("What problem are you solving?", "Какую проблему вы решаете?",
                                 "Qaysi muammoni hal qilyapsiz?"),
       t("Who has this problem and how do they cope today? 150 words at most.",
         "У кого эта проблема и как её решают сейчас? Не более 150 слов.",
         "Bu muammo kimda bor va hozir uni qanday hal qilishadi? Koʻpi bilan 150 soʻz."),
       True, max_words=150),
    _q("solution", "long_text", t("Describe your solution", "Опишите ваше решение",
                                  "Yechimingizni tasvirlab bering"),
       t("What have you built or plan to build, and how is it better than the alternatives? "
         "200 words at most.",
         "Что вы создали или планируете создать и чем это лучше альтернатив? Не более 200 слов.",
         "Nima yaratdingiz yoki yaratmoqchisiz va u muqobillardan nimasi bilan yaxshiroq? "
         "Koʻpi bilan 200 soʻz."),
       True, max_words=200),
    _q("team_size", "number", t("How many people are on your team?", "Сколько человек в вашей команде?",
                                "Jamoangizda necha kishi bor?"),
       t("Count the founders and everyone working on the startup regularly.",
         "Учитывайте основателей и всех, кто регулярно работает над стартапом.",
         "Asoschilar va startap ustida muntazam ishlaydigan barchani hisoblang."),
       True, min_value=Decimal(1), max_value=Decimal(20)),
    _q("stage", "choice", t("What stage is your startup at?", "На какой стадии ваш стартап?",
                            "Startapingiz qaysi bosqichda?"),
       t("Choose the one that fits best today.", "Выберите вариант, который лучше всего описывает текущее "
         "состояние.", "Hozirgi holatga eng mos keladiganini tanlang."), True, options=STAGE_OPTIONS),
    _q("support_needs", "multi_choice",
       t("What support do you need most?", "Какая поддержка вам нужнее всего?",
         "Sizga qanday yordam koʻproq kerak?"),
       t("Choose up to three.", "Выберите до трёх вариантов.", "Uchtagacha tanlang."),
       options=SUPPORT_OPTIONS),
    _q("monthly_revenue", "number",
       t("Monthly revenue, UZS", "Ежемесячная выручка, сум", "Oylik daromad, soʻm"),
       t("Average of the last three months; 0 if you have none yet.",
         "Среднее за последние три месяца; 0, если выручки пока нет.",
         "Soʻnggi uch oy oʻrtachasi; hali daromad boʻlmasa, 0."),
       min_value=Decimal(0), max_value=Decimal(10_000_000_000)),
    _q("product_url", "url", t("Link to your product or demo", "Ссылка на продукт или демо",
                               "Mahsulot yoki demo havolasi"),
       t("A website, app store page or video.", "Сайт, страница в магазине приложений или видео.",
         "Veb-sayt, ilovalar doʻkonidagi sahifa yoki video."), shown_in_blind=False),
    _q("launch_date", "date", t("When did you launch (or when will you)?",
                                "Когда вы запустились (или планируете запуск)?",
                                "Qachon ishga tushdingiz (yoki qachon rejalashtiryapsiz)?"),
       t("The day the first users could use your product.",
         "День, когда первые пользователи смогли воспользоваться продуктом.",
         "Birinchi foydalanuvchilar mahsulotingizdan foydalana boshlagan kun.")),
    _q("how_heard", "choice", t("How did you hear about us?", "Как вы о нас узнали?",
                                "Biz haqimizda qayerdan bildingiz?"),
       t("Pick the main source.", "Выберите основной источник.", "Asosiy manbani tanlang."),
       options=HEARD_OPTIONS),
    _q("pitch_deck", "file", t("Pitch deck (PDF)", "Питч-дек (PDF)", "Pitch-dek (PDF)"),
       t("Up to 10 slides, 20 MB at most.", "До 10 слайдов, не более 20 МБ.",
         "10 tagacha slayd, koʻpi bilan 20 MB.")),
]
DIRECTIONS_Q = _q(
    "directions", "multi_choice", t("Which training directions interest your team?",
                                    "Какие направления обучения интересны вашей команде?",
                                    "Jamoangizni qaysi taʼlim yoʻnalishlari qiziqtiradi?"),
    t("Choose all that apply.", "Выберите все подходящие.", "Mos keladiganlarning barchasini tanlang."),
    True, options=DIRECTION_OPTIONS)
WOMEN_Q = _q(
    "women_in_team", "number", t("How many women are on your team?", "Сколько женщин в вашей команде?",
                                 "Jamoangizda nechta ayol bor?"),
    t("Women-led teams are founded or led by women.", "Женские команды основаны или возглавляются женщинами.",
      "Ayollar boshchiligidagi jamoalar ayollar tomonidan asos solingan yoki boshqariladi."),
    True, min_value=Decimal(1), max_value=Decimal(20))
COUNTRY_Q = _q(
    "country", "choice", t("Where is your startup based?", "Где базируется ваш стартап?",
                           "Startapingiz qayerda joylashgan?"),
    t("Tumaris.Tech is open to the five Central Asian countries.",
      "Tumaris.Tech открыт для пяти стран Центральной Азии.",
      "Tumaris.Tech Markaziy Osiyoning beshta davlati uchun ochiq."), True, options=COUNTRY_OPTIONS)


def questions_for(program_slug: str) -> list[dict]:
    """The common form, with the program's own questions after the first five."""
    extra = {"innox": [DIRECTIONS_Q], "tumaris-tech": [COUNTRY_Q, WOMEN_Q], "foundher": [WOMEN_Q]}
    return COMMON_QUESTIONS[:5] + extra[program_slug] + COMMON_QUESTIONS[5:]


STAGES = [
    {"name": t("Screening", "Отбор заявок", "Saralash"), "reviews_required": 3, "is_blind": True, "days": 10},
    {"name": t("Interview", "Собеседование", "Suhbat"), "reviews_required": 2, "is_blind": False, "days": 28},
    {"name": t("Demo Day", "Демо-день", "Demo kun"), "reviews_required": 2, "is_blind": False, "days": 44},
]
CRITERIA = [
    ("team", Decimal("1.5"), t("Team", "Команда", "Jamoa"),
     t("Skills, commitment and how well the founders complement each other.",
       "Навыки, вовлечённость и то, насколько основатели дополняют друг друга.",
       "Koʻnikmalar, fidoyilik va asoschilarning bir-birini qanchalik toʻldirishi.")),
    ("market", Decimal(1), t("Market", "Рынок", "Bozor"),
     t("Size of the market and how well the team understands its customers.",
       "Размер рынка и насколько команда понимает своих клиентов.",
       "Bozor hajmi va jamoaning oʻz mijozlarini qanchalik tushunishi.")),
    ("product", Decimal(1), t("Product", "Продукт", "Mahsulot"),
     t("How well the product solves the problem and how far it has been built.",
       "Насколько продукт решает проблему и насколько он готов.",
       "Mahsulot muammoni qanchalik hal qilishi va qay darajada tayyorligi.")),
    ("traction", Decimal(1), t("Traction", "Трекшн", "Natijalar"),
     t("Users, pilots, revenue or other evidence of demand.",
       "Пользователи, пилоты, выручка или другие подтверждения спроса.",
       "Foydalanuvchilar, pilot loyihalar, daromad yoki talabning boshqa dalillari.")),
    ("impact", Decimal("0.5"), t("Impact", "Социальное влияние", "Ijtimoiy taʼsir"),
     t("Benefit for the region, jobs created, social and environmental effect.",
       "Польза для региона, новые рабочие места, социальный и экологический эффект.",
       "Hudud uchun foyda, yangi ish oʻrinlari, ijtimoiy va ekologik taʼsir.")),
]


# Words for the five points of every demo criterion.
SCALE_LABELS = {
    "1": t("Weak", "Слабо", "Zaif"),
    "2": t("Fair", "Удовлетворительно", "Qoniqarli"),
    "3": t("Good", "Хорошо", "Yaxshi"),
    "4": t("Strong", "Сильно", "Kuchli"),
    "5": t("Outstanding", "Отлично", "Aʼlo"),
}
