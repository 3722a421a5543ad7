"""The demo's people and startups: names, staff and reviewers, sector texts, and the generator of
founders and startups (plain data; seed.py writes it to the database)."""
from __future__ import annotations

import random
import re
from datetime import date, timedelta

from incubator.startups.models import SECTORS, StartupStage

from incubator.demo.catalogue import t  # noqa: F401

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
REVIEWER_PROGRAMS = {"innox": range(1, 11), "tumaris-tech": range(5, 11), "foundher": [1, 8, 9, 10, 11, 12]}

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
