"""Made-up listed people for benchmarks, tests and development: realistic names in Latin
(with accents), Cyrillic, Arabic and Chinese script, with romanised aliases, birth dates and
nationalities, as FollowTheMoney entities. Deterministic for a seed."""

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rigour.text.translit import ascii_text


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


RUSSIAN_GIVEN = _words(
    "Александр Алексей Андрей Борис Вадим Виктор Владимир Геннадий Дмитрий Евгений Игорь "
    "Константин Леонид Михаил Николай Олег Павел Роман Сергей Юрий Аркадий Тимур Руслан"
)
RUSSIAN_FAMILY = _words(
    "Иванов Смирнов Кузнецов Попов Соколов Лебедев Козлов Новиков Морозов Петров Волков "
    "Соловьёв Васильев Зайцев Павлов Семёнов Голубев Виноградов Богданов Воробьёв Фёдоров "
    "Михайлов Беляев Тарасов Белов Комаров Орлов Киселёв Макаров Андреев Ковалёв Ильин "
    "Гусев Титов Кузьмин Кудрявцев Баранов Куликов Алексеев Степанов Яковлев Сорокин"
)
ARABIC_NAMES = (
    ("محمد", "Mohammed"),
    ("أحمد", "Ahmed"),
    ("علي", "Ali"),
    ("حسن", "Hassan"),
    ("حسين", "Hussein"),
    ("عبد الله", "Abdullah"),
    ("خالد", "Khaled"),
    ("عمر", "Omar"),
    ("يوسف", "Youssef"),
    ("إبراهيم", "Ibrahim"),
    ("سعيد", "Saeed"),
    ("فيصل", "Faisal"),
    ("طارق", "Tariq"),
    ("ناصر", "Nasser"),
    ("سلمان", "Salman"),
    ("كريم", "Karim"),
    ("جمال", "Jamal"),
    ("منصور", "Mansour"),
)
ARABIC_FAMILY = (
    ("الأسد", "al-Assad"),
    ("القحطاني", "al-Qahtani"),
    ("الحربي", "al-Harbi"),
    ("الشمري", "al-Shammari"),
    ("العتيبي", "al-Otaibi"),
    ("الزهراني", "al-Zahrani"),
    ("المالكي", "al-Maliki"),
    ("التميمي", "al-Tamimi"),
    ("الخطيب", "al-Khatib"),
    ("حداد", "Haddad"),
    ("نصر الله", "Nasrallah"),
    ("البغدادي", "al-Baghdadi"),
)
CHINESE_FAMILY = _words("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗")
CHINESE_GIVEN = _words(
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀 霞 平 刚 桂 英 华 建 国 文 辉"
)
LATIN_GIVEN = _words(
    "François Jérôme Hélène Björn Jürgen Søren Zoë Ângela João Luís Gonçalo Ştefan Miloš "
    "Dragan Zoran Tomáš Radovan Goran Dušan Ivica Mehmet Emre Yusuf Olumide Chukwuemeka "
    "Kwame Patrice Étienne Giuseppe Salvatore Matteo Alessandro Heinrich Friedrich Wojciech "
    "Grzegorz Ryszard Nuno Rui Sérgio Anabela Graça Eoin Siobhán Declan Tadeusz Lajos Ferenc"
)
LATIN_FAMILY = _words(
    "Müller Schröder Weiß Lefèvre Dubois Girard Mercier Gonçalves Magalhães Araújo Simões "
    "Kovačević Petrović Jovanović Đorđević Nowak Wiśniewski Wójcik Kowalczyk Dvořák Novák "
    "Horváth Szabó Öztürk Yılmaz Çelik Şahin Okonkwo Adebayo Mensah Esposito Romano Colombo "  # noqa: RUF001
    "Ricci Marino Greco Bruno Gallo Conti De Luca Mancini Costa Giordano Rizzo Lombardi "
    "O'Sullivan Ó Briain MacGuinness Villalobos Quiroga Echeverría Iturbide Zuloaga Arriaga"
)
COUNTRIES = {
    "ru": ("ru", "by", "kz"),
    "ar": ("sy", "iq", "sa", "ye", "lb", "ae"),
    "zh": ("cn", "hk", "tw"),
    "la": ("de", "fr", "pt", "rs", "pl", "tr", "ng", "it", "ie", "br", "mx", "hu", "cz"),
}
TOPICS = (["sanction"], ["role.pep"], ["role.pep", "sanction"], ["crime"], ["role.rca"])


def _patronymic(father: str) -> str:
    if father == "Павел":
        return "Павлович"
    if father.endswith(("ей", "ай")):
        return father[:-1] + "евич"
    if father.endswith("ий"):
        return father[:-2] + "ьевич"
    return father + "ович"


def _russian(rng: random.Random) -> tuple[str, list[str]]:
    given, family = rng.choice(RUSSIAN_GIVEN), rng.choice(RUSSIAN_FAMILY)
    patronymic = _patronymic(rng.choice(RUSSIAN_GIVEN))
    name = f"{given} {patronymic} {family}"
    return name, [ascii_text(name), ascii_text(f"{given} {family}")]


def _arabic(rng: random.Random) -> tuple[str, list[str]]:
    (given, given_latin), (father, father_latin) = rng.sample(ARABIC_NAMES, 2)
    family, family_latin = rng.choice(ARABIC_FAMILY)
    name = f"{given} {father} {family}"
    return name, [f"{given_latin} {father_latin} {family_latin}", f"{given_latin} {family_latin}"]


def _chinese(rng: random.Random) -> tuple[str, list[str]]:
    family = rng.choice(CHINESE_FAMILY)
    given = "".join(rng.choice(CHINESE_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    latin = ascii_text(family + given).title().split()
    return family + given, [f"{latin[0]} {''.join(latin[1:]).title()}"]


def _latin(rng: random.Random) -> tuple[str, list[str]]:
    given = " ".join(rng.sample(LATIN_GIVEN, rng.choice((1, 1, 2))))
    family = " ".join(rng.sample(LATIN_FAMILY, rng.choice((1, 1, 2))))
    name = f"{given} {family}"
    return name, [ascii_text(name)] if ascii_text(name) != name else []


MAKERS = (("ru", _russian), ("ar", _arabic), ("zh", _chinese), ("la", _latin), ("la", _latin))


def synthetic_entity(rng: random.Random, number: int) -> dict[str, Any]:
    script, make = rng.choice(MAKERS)
    name, aliases = make(rng)
    birth = f"{rng.randint(1935, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    properties: dict[str, list[str]] = {
        "name": [name],
        "alias": aliases,
        "birthDate": [birth if rng.random() < 0.7 else birth[:4]],
        "nationality": [rng.choice(COUNTRIES[script])],
        "topics": rng.choice(TOPICS),
    }
    if rng.random() < 0.5:
        properties["sourceUrl"] = [f"https://lists.example.org/entities/syn-{number}"]
    return {"id": f"syn-{number}", "schema": "Person", "properties": properties}


def synthetic_entities(count: int, *, seed: int = 21) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)  # noqa: S311 - made-up names, repeatable
    for number in range(count):
        yield synthetic_entity(rng, number)


def synthetic_file_write(path: Path, count: int, *, seed: int = 21) -> Path:
    """A FollowTheMoney JSON-lines file of `count` made-up listed people."""
    with path.open("w", encoding="utf-8") as target:
        for entity in synthetic_entities(count, seed=seed):
            target.write(json.dumps(entity, ensure_ascii=False) + "\n")
    return path
