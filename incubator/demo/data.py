"""What the demo is made of: organisations, programs, seasons, questions, rubrics, names and texts,
and the generator of founders and startups (plain data; seed.py writes it to the database).

Facts come from the programs' public reports (see the design notes). Uzbek is in Latin script."""
from __future__ import annotations

import random
import re
from datetime import date, timedelta
from decimal import Decimal

from incubator.applications.models import SECTORS, StartupStage


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

# ---------------------------------------------------------------- people
UZ_MALE = ["Aziz", "Bekzod", "Jasur", "Sardor", "Otabek", "Sherzod", "Doniyor", "Javohir", "Islom", "Abdulla",
           "Shohruh", "Akmal", "Ulugʻbek", "Farrux", "Temur", "Behruz", "Sanjar", "Rustam", "Nodir", "Kamron",
           "Asadbek", "Muhammadali", "Diyorbek", "Ibrohim", "Jahongir", "Sarvar", "Eldor", "Bobur", "Alisher"]
UZ_FEMALE = ["Dilnoza", "Madina", "Sevara", "Nilufar", "Gulnora", "Malika", "Zarina", "Shahnoza", "Kamola",
             "Feruza", "Mohira", "Nodira", "Dildora", "Sabina", "Nigora", "Munisa", "Zilola", "Sitora",
             "Mahliyo", "Robiya", "Yulduz", "Komila", "Oydin", "Barno", "Gulbahor", "Ziyoda"]
UZ_SURNAMES = ["Karimov", "Rahimov", "Yusupov", "Tursunov", "Abdullayev", "Ismoilov", "Usmonov", "Qodirov",
               "Nazarov", "Mirzayev", "Sobirov", "Xolmatov", "Ergashev", "Aliyev", "Hasanov", "Saidov",
               "Joʻrayev", "Normatov", "Rashidov", "Azimov", "Sultonov", "Tojiboyev", "Yoqubov", "Umarov",
               "Xoʻjayev", "Raximberdiyev", "Mamatqulov", "Toshpoʻlatov"]
RU_MALE = ["Dmitriy", "Artyom", "Ruslan", "Maksim", "Aleksandr", "Timur", "Denis", "Vladislav", "Sergey"]
RU_FEMALE = ["Anastasiya", "Yekaterina", "Alina", "Diana", "Elina", "Kseniya", "Viktoriya", "Olga", "Yuliya"]
RU_SURNAMES = ["Ivanov", "Petrov", "Smirnov", "Kuznetsov", "Pak", "Kim", "Li", "Tsoy", "Volkov", "Morozov"]
# Women founders from the other Central Asian countries (Tumaris.Tech): (first names, surnames).
CA_WOMEN = {
    "KZ": (["Aigerim", "Aruzhan", "Dana", "Madina", "Saule"], ["Nurlanova", "Serikbayeva", "Akhmetova"]),
    "KG": (["Aizhan", "Jyldyz", "Saltanat", "Aida"], ["Asanova", "Toktogulova", "Beishenova"]),
    "TJ": (["Farangis", "Manizha", "Tahmina", "Nigina"], ["Rahmonova", "Saidova", "Nazarova"]),
    "TM": (["Maral", "Ayna", "Ogulgerek", "Jeren"], ["Berdiyeva", "Annayeva", "Orazova"]),
}
ROLES = ["CTO", "Developer", "Designer", "Marketing", "Sales", "Product manager", "Data analyst"]


def female_surname(surname: str) -> str:
    if surname in ("Pak", "Kim", "Li", "Tsoy"):
        return surname
    return surname + "a"


STAFF = [
    # email, name, locale, is_admin
    ("admin@example.org", "Rustam Azimov", "en", True),
    ("manager@example.org", "Gulnora Saidova", "uz", False),
]
REVIEWERS = [
    ("Bekzod Karimov", "uz"), ("Yekaterina Kim", "ru"), ("Sherzod Tursunov", "uz"), ("Nodira Usmonova", "uz"),
    ("Dmitriy Pak", "ru"), ("Malika Rahimova", "en"), ("Otabek Nazarov", "uz"), ("Sevara Mirzayeva", "uz"),
    ("Alina Tsoy", "ru"), ("Kamola Ergasheva", "en"), ("Feruza Hasanova", "uz"), ("Jahongir Sobirov", "uz"),
]
# Reviewer numbers (1-based) per program: each program has several, some review for two.
REVIEWER_PROGRAMS = {"innox": range(1, 8), "tumaris-tech": range(5, 11), "foundher": [1, 8, 9, 10, 11, 12]}

DEMO_FOUNDER = {
    "email": "founder@example.org", "name": "Madina Yusupova", "locale": "uz",
    "startup": {"name": "HosilAI", "sector": "agritech", "region": "andijan", "stage": "prototype",
                "pitch": "Soil and weather sensors that tell smallholders when to water and how much.",
                "founded_on": date(2023, 9, 1), "website": "https://hosilai.uz"},
    "members": [("Madina Yusupova", "CEO", "female", 2001), ("Jasur Tursunov", "CTO", "male", 1999),
                ("Nilufar Karimova", "Designer", "female", 2003)],
    "answers": ["one_liner", "problem", "team_size", "stage"],
}

# ---------------------------------------------------------------- startups
REGION_NAMES = {
    "andijan": t("Andijan", "Андижан", "Andijon"), "bukhara": t("Bukhara", "Бухара", "Buxoro"),
    "fergana": t("Fergana", "Фергана", "Fargʻona"), "jizzakh": t("Jizzakh", "Джизак", "Jizzax"),
    "kashkadarya": t("Kashkadarya", "Кашкадарья", "Qashqadaryo"), "khorezm": t("Khorezm", "Хорезм", "Xorazm"),
    "namangan": t("Namangan", "Наманган", "Namangan"), "navoiy": t("Navoiy", "Навои", "Navoiy"),
    "samarkand": t("Samarkand", "Самарканд", "Samarqand"),
    "surkhandarya": t("Surkhandarya", "Сурхандарья", "Surxondaryo"),
    "syrdarya": t("Syrdarya", "Сырдарья", "Sirdaryo"),
    "tashkent_region": t("Tashkent region", "Ташкентская область", "Toshkent viloyati"),
    "tashkent_city": t("Tashkent", "Ташкент", "Toshkent shahri"),
    "karakalpakstan": t("Karakalpakstan", "Каракалпакстан", "Qoraqalpogʻiston"),
}
# InnoX is in Andijan: most of its applicants are from the Fergana Valley, but every region applies.
INNOX_REGION_WEIGHTS = {"andijan": 40, "fergana": 10, "namangan": 10, "tashkent_city": 8, "samarkand": 4}
NAME_SUFFIXES = ["", " Uz", ".uz", " AI", " Pro", " Hub", " Lab", " Plus"]
# sector: (name stems, (two pitches), the problem in en/ru/uz)
SECTOR_TEXTS = {
    "agritech": (
        ["AgroSmart", "Dehqon", "SuvTejam", "AgroBozor", "PaxtaPro", "IssiqXona"],
        (
            "A marketplace that connects Fergana Valley farmers directly with wholesale buyers.",
            "Soil and weather sensors that tell smallholders when to water and how much.",
        ),
        t(
            "Farmers sell their harvest to middlemen at low prices and lose up to a third of it on the "
            "way, because they have no direct access to buyers or reliable information about prices.",
            "Фермеры продают урожай посредникам по низким ценам и теряют до трети по дороге, потому что у "
            "них нет прямого выхода на покупателей и надёжной информации о ценах.",
            "Fermerlar hosilni vositachilarga arzon narxda sotadi va yoʻlda uning uchdan bir qismigacha "
            "yoʻqotadi, chunki ularda xaridorlarga toʻgʻridan-toʻgʻri chiqish va narxlar haqida ishonchli "
            "maʼlumot yoʻq.",
        ),
    ),
    "edtech": (
        ["Ustoz", "BilimGo", "DarsHub", "KitobAI", "Maktab", "Olimp"],
        (
            "Exam preparation app for school leavers, with lessons in Uzbek and Russian.",
            "Online programming courses for teenagers outside Tashkent, taught by local mentors.",
        ),
        t(
            "Pupils in the regions have few good teachers and tutors, and quality courses are mostly in "
            "Tashkent and mostly expensive.",
            "У школьников в регионах мало хороших учителей и репетиторов, а качественные курсы в основном "
            "в Ташкенте и стоят дорого.",
            "Viloyatlardagi oʻquvchilarda yaxshi oʻqituvchi va repetitorlar kam, sifatli kurslar esa "
            "asosan Toshkentda va qimmat.",
        ),
    ),
    "fintech": (
        ["TezPul", "HisobKitob", "Kassa", "PulBox", "Hamyon", "Tolov"],
        (
            "Bookkeeping and invoicing app for small shops and market traders.",
            "Instalment payments for household goods, with scoring built on mobile data.",
        ),
        t(
            "Small traders keep their accounts in notebooks, cannot show their income to a bank and so "
            "cannot get credit to grow.",
            "Мелкие торговцы ведут учёт в тетрадях, не могут подтвердить доход банку и поэтому не получают"
            " кредит на развитие.",
            "Kichik savdogarlar hisobni daftarda yuritadi, bankka daromadini isbotlay olmaydi va shu "
            "sababli rivojlanish uchun kredit ololmaydi.",
        ),
    ),
    "healthtech": (
        ["DoktorOnline", "ShifoLab", "MedQR", "Tabib", "VitaCare", "Dorixona"],
        (
            "Online booking and video consultations with doctors from regional clinics.",
            "A reminder and refill service that helps patients with chronic illness take medicines on "
            "time.",
        ),
        t(
            "Patients from districts travel hours to see a specialist, wait in queues and often come back "
            "a second time only to show test results.",
            "Пациенты из районов часами едут к специалисту, стоят в очередях и часто возвращаются второй "
            "раз только чтобы показать анализы.",
            "Tumanlardagi bemorlar mutaxassis qabuliga soatlab yoʻl bosadi, navbatda turadi va koʻpincha "
            "faqat tahlil natijalarini koʻrsatish uchun qayta keladi.",
        ),
    ),
    "ecommerce": (
        ["BozorGo", "Savdo", "HunarMarket", "Dukon", "SilkCart", "Chaqqon"],
        (
            "An online shop for handmade crafts from Uzbek masters, shipped abroad.",
            "Same-day grocery delivery from neighbourhood shops in regional cities.",
        ),
        t(
            "Local producers and craftsmen have good goods but no easy way to sell online, take payments "
            "and deliver outside their city.",
            "У местных производителей и ремесленников хороший товар, но нет простого способа продавать "
            "онлайн, принимать оплату и доставлять за пределы своего города.",
            "Mahalliy ishlab chiqaruvchilar va hunarmandlarning mahsuloti yaxshi, lekin onlayn sotish, "
            "toʻlov qabul qilish va shahar tashqarisiga yetkazishning oson yoʻli yoʻq.",
        ),
    ),
    "logistics": (
        ["Yetkaz", "TezYol", "CargoLink", "Karvon", "Kuryer", "RouteUz"],
        (
            "Matching trucks with cargo on routes between Uzbekistan, Kazakhstan and Russia.",
            "A last-mile courier network for online shops in the regions.",
        ),
        t(
            "Trucks often drive back empty and shippers spend days calling around to find transport, which"
            " makes delivery slow and expensive.",
            "Грузовики часто возвращаются пустыми, а отправители днями обзванивают перевозчиков, из-за "
            "чего доставка медленная и дорогая.",
            "Yuk mashinalari koʻpincha boʻsh qaytadi, yuk joʻnatuvchilar esa transport topish uchun kunlab"
            " qoʻngʻiroq qiladi, shuning uchun yetkazib berish sekin va qimmat.",
        ),
    ),
    "govtech": (
        ["eMahalla", "Murojaat", "Navbat", "Fuqaro", "SmartShahar", "OchiqByudjet"],
        (
            "A mahalla portal where residents report problems and follow how they are solved.",
            "An electronic queue for public service centres, with SMS notifications.",
        ),
        t(
            "Residents do not know where to turn with everyday problems, and local officials have no "
            "simple tool to collect and track requests.",
            "Жители не знают, куда обращаться с бытовыми проблемами, а у местных органов нет простого "
            "инструмента для сбора и учёта обращений.",
            "Aholi kundalik muammolar bilan qayerga murojaat qilishni bilmaydi, mahalliy idoralarda esa "
            "murojaatlarni yigʻish va kuzatish uchun oddiy vosita yoʻq.",
        ),
    ),
    "cleantech": (
        ["QuyoshEnergy", "EkoChiqindi", "Yashil", "AquaSave", "TozaHavo", "EcoBrick"],
        (
            "Small solar installations for farms and homes, paid in instalments.",
            "Collecting and recycling plastic waste, with deposit points in schools.",
        ),
        t(
            "Power cuts hurt farms and small businesses, and most household waste ends up in landfills "
            "instead of being recycled.",
            "Перебои с электричеством бьют по фермам и малому бизнесу, а большая часть бытовых отходов "
            "попадает на свалки вместо переработки.",
            "Elektr uzilishlari fermer xoʻjaliklari va kichik bizneslarga zarar yetkazadi, maishiy "
            "chiqindilarning katta qismi esa qayta ishlanmasdan poligonlarga tushadi.",
        ),
    ),
    "tourism": (
        ["Mehmon", "Sayohat", "GuideUz", "Karvonsaroy", "Ziyorat", "NavruzTrips"],
        (
            "Booking guesthouses and local guides along the Silk Road cities.",
            "Audio guides in five languages for Samarkand, Bukhara and Khiva.",
        ),
        t(
            "Tourists find it hard to book small guesthouses and licensed guides in advance, and local "
            "hosts miss out on visitors.",
            "Туристам сложно заранее забронировать небольшие гостевые дома и лицензированных гидов, а "
            "местные хозяева теряют гостей.",
            "Sayyohlarga kichik mehmon uylari va litsenziyali gidlarni oldindan bron qilish qiyin, "
            "mahalliy mezbonlar esa mehmonlarni boy beradi.",
        ),
    ),
    "media": (
        ["Ovoz", "Kadr", "Hikoya", "Nashr", "Ekran", "Sahna"],
        (
            "A Telegram-first news service about technology, in Uzbek.",
            "A video production studio for small brands’ social media.",
        ),
        t(
            "There is little quality content about technology and business in Uzbek, and small brands "
            "cannot afford professional video.",
            "Качественного контента о технологиях и бизнесе на узбекском мало, а малым брендам не по "
            "карману профессиональное видео.",
            "Oʻzbek tilida texnologiya va biznes haqida sifatli kontent kam, kichik brendlar esa "
            "professional video uchun pul topa olmaydi.",
        ),
    ),
    "robotics": (
        ["RoboKid", "Temir", "DroneAgro", "Mexanika", "BotLab", "AqlliUy"],
        (
            "Robotics kits and lessons for school clubs.",
            "Drones that spray and monitor cotton and wheat fields.",
        ),
        t(
            "Schools want robotics clubs but imported kits are expensive and come without lessons in "
            "Uzbek.",
            "Школы хотят кружки робототехники, но импортные наборы дорогие и идут без уроков на узбекском.",
            "Maktablar robototexnika toʻgaraklarini xohlaydi, lekin import qilingan toʻplamlar qimmat va "
            "oʻzbek tilidagi darslarsiz keladi.",
        ),
    ),
    "cybersecurity": (
        ["Qalqon", "Himoya", "SecureUz", "CyberShield", "Xavfsiz", "Qorovul"],
        (
            "Security audits and staff training for small companies and banks.",
            "A password manager and phishing filter for Uzbek-speaking users.",
        ),
        t(
            "Small companies are hit by phishing and data leaks, but have neither security staff nor the "
            "budget for foreign services.",
            "Малые компании страдают от фишинга и утечек данных, но у них нет ни специалистов по "
            "безопасности, ни бюджета на зарубежные сервисы.",
            "Kichik kompaniyalar fishing va maʼlumotlar sizib chiqishidan zarar koʻradi, lekin ularda na "
            "xavfsizlik mutaxassislari, na xorijiy xizmatlar uchun byudjet bor.",
        ),
    ),
    "mobile_apps": (
        ["Maydon", "Lugʻat", "Oshpaz", "Yordam", "SportGo", "Navbatchi"],
        (
            "A mobile app for finding and booking sports grounds.",
            "A dictionary and translator for Uzbek, Russian and English, with voice input.",
        ),
        t(
            "People still book everyday services by phone calls and messages, which wastes time for both "
            "customers and small businesses.",
            "Люди до сих пор записываются на повседневные услуги звонками и сообщениями, что отнимает "
            "время и у клиентов, и у малого бизнеса.",
            "Odamlar hali ham kundalik xizmatlarga qoʻngʻiroq va xabarlar orqali yoziladi, bu mijozlarning"
            " ham, kichik biznesning ham vaqtini oladi.",
        ),
    ),
    "web_services": (
        ["WebStudio", "FormaUz", "Tezkor", "Bron", "SaytGo", "CRMuz"],
        (
            "A website builder for small businesses, with payments built in.",
            "Online booking for salons, clinics and training centres.",
        ),
        t(
            "Most small businesses have no website or online booking, and building one costs more than "
            "they can spend.",
            "У большинства малых предприятий нет сайта или онлайн-записи, а разработка стоит больше, чем "
            "они могут потратить.",
            "Aksariyat kichik bizneslarning veb-sayti yoki onlayn yozilish tizimi yoʻq, uni yaratish esa "
            "ular sarflay oladigan mablagʻdan qimmat.",
        ),
    ),
    "manufacturing": (
        ["Ipak", "Kulolchilik", "Print3D", "Mebel", "Tikuv", "Gilam"],
        (
            "Eco-friendly packaging made from local cotton waste.",
            "Custom furniture ordered online and made by workshops in Andijan.",
        ),
        t(
            "Local workshops lose orders to imported goods because they cannot show their products online "
            "or guarantee delivery times.",
            "Местные мастерские теряют заказы из-за импорта, потому что не могут показать продукцию онлайн"
            " и гарантировать сроки.",
            "Mahalliy ustaxonalar import mahsulotlari tufayli buyurtmalarni yoʻqotadi, chunki mahsulotini "
            "onlayn koʻrsata olmaydi va muddatlarni kafolatlay olmaydi.",
        ),
    ),
}
SOLUTION = t(
    "{name}: {pitch} We have tested the idea with our first users in {region} and want to grow across the "
    "country within a year. The team of {team} covers product, technology and sales.",
    "{name}: решение для тех, кто сталкивается с этой проблемой. Мы проверили идею на первых пользователях "
    "(регион: {region}) и за год хотим выйти на всю страну. В команде {team} чел.: продукт, разработка "
    "и продажи.",
    "{name} — bu muammoga duch kelganlar uchun yechim. Gʻoyani birinchi foydalanuvchilarda sinab koʻrdik "
    "({region}) va bir yil ichida butun mamlakat boʻylab kengaymoqchimiz. Jamoamizda {team} kishi: mahsulot, "
    "dasturlash va savdo.",
)
REJECTION_REASONS = [
    "Total score below the cut-off for this stage.",
    "The team is not yet full-time on the project.",
    "The market is too small for the program's focus.",
    "Strong idea, but too early: we encourage you to apply again next season.",
]


# ---------------------------------------------------------------- generated founders
def person(rng: random.Random, female: bool, country: str = "UZ") -> tuple[str, str]:
    if country in CA_WOMEN:
        firsts, surnames = CA_WOMEN[country]
        return f"{rng.choice(firsts)} {rng.choice(surnames)}", rng.choice(["ru", "ru", "en"])
    russian = rng.random() < 0.15
    if russian:
        first, surname = rng.choice(RU_FEMALE if female else RU_MALE), rng.choice(RU_SURNAMES)
    else:
        first, surname = rng.choice(UZ_FEMALE if female else UZ_MALE), rng.choice(UZ_SURNAMES)
    surname = female_surname(surname) if female else surname
    locale = rng.choices(["ru", "en"], [85, 15]) if russian else rng.choices(["uz", "ru", "en"], [75, 15, 10])
    return f"{first} {surname}", locale[0]


def startup_spec(rng, no, names_used, *, region, country="UZ", women_led=False, young=True) -> dict:
    """A founder (founderNNNN@example.org), their startup and team, as plain data for bulk inserts.
    Young teams are InnoX's (founders 14 to 30, a few older advisors); women-led teams have a woman CEO."""
    sector = rng.choice(SECTORS)
    stems, pitches, problem = SECTOR_TEXTS[sector]
    name = rng.choice(stems) + rng.choice(NAME_SUFFIXES)
    while name in names_used:
        name = rng.choice(stems) + rng.choice(NAME_SUFFIXES) + f" {rng.randint(2, 99)}"
    names_used.add(name)
    owner, locale = person(rng, women_led, country)
    stage, pitch = rng.choices(list(StartupStage), [30, 28, 27, 15])[0], rng.choice(pitches)
    slug = re.sub(r"[^a-z0-9]+", "", name.lower().removesuffix(".uz"))
    members = [{"name": owner, "role": "CEO", "gender": "female" if women_led else "male",
                "birth_year": rng.randint(1996, 2008) if young else rng.randint(1978, 2002), "owner": True}]
    for _ in range(rng.choices([0, 1, 2, 3, 4], [15, 30, 30, 18, 7])[0]):
        roll = rng.random()
        female_share = 0.65 if women_led else 0.27
        gender = "undisclosed" if roll < 0.04 else "female" if roll < female_share else "male"
        advisor = young and rng.random() < 0.08
        members.append({
            "name": person(rng, gender == "female", country)[0], "gender": gender, "owner": False,
            "role": "Advisor" if advisor else rng.choice(ROLES),
            "birth_year": rng.randint(1970, 1990) if advisor else rng.randint(1995, 2009) if young
            else rng.randint(1975, 2004),
        })
    return {
        "email": f"founder{no:04d}@example.org", "owner": owner, "locale": locale, "problem": problem,
        "members": members, "applied": [],
        "startup": {"name": name, "pitch": pitch, "sector": sector, "region": region,
                    "country": country, "stage": stage,
                    "description": f"{pitch} {problem['en']}",
                    "founded_on": None if stage == StartupStage.IDEA
                    else date(2019, 6, 1) + timedelta(days=rng.randint(0, 1640)),
                    "website": f"https://{slug}.uz" if stage in ("mvp", "revenue") and rng.random() < 0.6
                    else None},
    }
