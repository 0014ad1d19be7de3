"""The labelled set the matcher is measured on (docs/architecture.md, "Screening lists and
matching").

LISTED: made-up listed people in Latin script with accents, Cyrillic, Arabic and Chinese,
with aliases, birth dates and nationalities, as a list would publish them. Each carries its
true variants: how an RM might type the same person — another romanisation, another word
order, without the second surname or the patronymic, with initials, a typo, without accents.

CLEAN: Chilean clients who are on no list, from common Chilean given names and surnames
(two given names or one, always two surnames), generated deterministically.
"""

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from rigour.text.translit import ascii_text


@dataclass(frozen=True)
class Listed:
    id: str
    name: str
    aliases: list[str]
    birth_date: str
    countries: list[str]  # ISO 3166 alpha-2, as FollowTheMoney writes them
    topics: list[str]
    variants: list[str]
    client_countries: list[str] = field(default_factory=list)  # alpha-3, as the app stores


LISTED: list[Listed] = [
    # Latin script, Spanish-speaking: two surnames.
    Listed(
        "lab-es-1",
        "Héctor Aurelio Villalobos Quiroga",
        [],
        "1961-03-14",
        ["ve"],
        ["sanction"],
        [
            "Hector Aurelio Villalobos Quiroga",
            "Héctor Villalobos Quiroga",
            "Héctor Villalobos",
            "Villalobos Quiroga Héctor Aurelio",
            "H. A. Villalobos Quiroga",
            "Hector Villalobo Quiroga",
            "Héctor Aurelio Villalobos",
        ],
        ["VEN"],
    ),
    Listed(
        "lab-es-2",
        "María Fernanda Echeverría Zuloaga",
        ["Mafe Echeverría"],
        "1975-11-02",
        ["co"],
        ["role.pep"],
        [
            "Maria Fernanda Echeverria Zuloaga",
            "María Echeverría Zuloaga",
            "María Fernanda Echeverría",
            "Echeverria Zuloaga Maria Fernanda",
            "M. Fernanda Echeverría Zuloaga",
            "Maria Fernanda Echevarria Zuloaga",
        ],
        ["COL"],
    ),
    Listed(
        "lab-es-3",
        "Joaquín Iturbide Arriaga",
        ["El Ingeniero"],
        "1958-04-04",
        ["mx"],
        ["crime", "sanction"],
        [
            "Joaquin Iturbide Arriaga",
            "Joaquín Iturbide",
            "Iturbide Arriaga, Joaquín",
            "J. Iturbide Arriaga",
            "Joaquim Iturbide Arriaga",
            "Joaquín Iturbide Arriaga Salcedo",
        ],
        ["MEX"],
    ),
    Listed(
        "lab-es-4",
        "Ramiro Antonio Sotomayor Bustamante",
        [],
        "1969-07-21",
        ["cl"],
        ["role.pep"],
        [
            "Ramiro Sotomayor Bustamante",
            "Ramiro Antonio Sotomayor",
            "R. Sotomayor Bustamante",
            "Sotomayor Bustamante Ramiro",
            "Ramiro Antonio Sotomayor Bustamente",
        ],
        ["CHL"],
    ),
    Listed(
        "lab-es-5",
        "Gustavo Adolfo Peñaranda",
        [],
        "1966-01-30",
        ["pe"],
        ["role.pep"],
        [
            "Gustavo Adolfo Peñaranda Ríos",
            "Gustavo Penaranda Rios",
            "Gustavo A. Peñaranda",
            "Peñaranda Gustavo Adolfo",
            "Gustavo Adolfo Penharanda",
        ],
        ["PER"],
    ),
    # Latin script, other languages with accents.
    Listed(
        "lab-la-1",
        "François-Xavier Lefèvre",
        [],
        "1972-09-09",
        ["fr"],
        ["sanction"],
        [
            "Francois Xavier Lefevre",
            "François Lefèvre",
            "Lefèvre François-Xavier",
            "F. X. Lefevre",
            "Francois-Xavier Lefebvre",
        ],
        ["FRA"],
    ),
    Listed(
        "lab-la-2",
        "Jürgen Weiß",
        ["Juergen Weiss"],
        "1955-12-24",
        ["de"],
        ["role.pep"],
        ["Jurgen Weiss", "Juergen Weiss", "Weiss Jürgen", "Jürgen Weis"],
        ["DEU"],
    ),
    Listed(
        "lab-la-3",
        "Đorđe Kovačević",
        ["Djordje Kovacevic"],
        "1964-06-28",
        ["rs"],
        ["sanction"],
        ["Djordje Kovacevic", "Dorde Kovacevic", "Kovačević Đorđe", "Djordje Kovačevič"],
        ["SRB"],
    ),
    Listed(
        "lab-la-4",
        "Mehmet Şahin Öztürk",
        [],
        "1970-02-17",
        ["tr"],
        ["role.pep"],
        ["Mehmet Sahin Ozturk", "Mehmet Öztürk", "Ozturk Mehmet Sahin", "Mehmet Sahin Osturk"],
        ["TUR"],
    ),
    Listed(
        "lab-la-5",
        "João Gonçalves Magalhães",
        [],
        "1980-10-10",
        ["br"],
        ["crime"],
        [
            "Joao Goncalves Magalhaes",
            "João Magalhães",
            "Magalhães João Gonçalves",
            "J. Gonçalves Magalhães",
            "Joao Goncalves Magalhais",
        ],
        ["BRA"],
    ),
    Listed(
        "lab-la-6",
        "Chukwuemeka Okonkwo",
        [],
        "1977-05-05",
        ["ng"],
        ["sanction"],
        ["Chukwuemeka Okonkwo", "Okonkwo Chukwuemeka", "Chukwuemeka Okonkow", "C. Okonkwo"],
        ["NGA"],
    ),
    # Cyrillic.
    Listed(
        "lab-ru-1",
        "Алексей Викторович Кудрявцев",
        ["Aleksei Viktorovich Kudryavtsev"],
        "1968-08-15",
        ["ru"],
        ["sanction"],
        [
            "Alexei Kudryavtsev",
            "Aleksey Kudryavtsev",
            "Alexey Viktorovich Kudriavtsev",
            "Kudryavtsev Aleksei",
            "A. V. Kudryavtsev",
            "Aleksei Kudryavtzev",
        ],
        ["RUS"],
    ),
    Listed(
        "lab-ru-2",
        "Сергей Николаевич Воробьёв",
        [],
        "1959-01-11",
        ["ru"],
        ["role.pep"],
        [
            "Sergei Vorobyov",
            "Sergey Nikolaevich Vorobyev",
            "Serguei Vorobiev",
            "Vorobyov Sergei Nikolayevich",
            "Sergei Vorobjov",
        ],
        ["RUS"],
    ),
    Listed(
        "lab-ru-3",
        "Юрий Геннадьевич Ковалёв",
        [],
        "1971-03-03",
        ["by"],
        ["sanction"],
        [
            "Yuri Kovalev",
            "Yuriy Gennadyevich Kovalyov",
            "Iouri Kovalev",
            "Kovalyov Yury",
            "Yurii Kovaliov",
        ],
        ["BLR"],
    ),
    Listed(
        "lab-ru-4",
        "Дмитрий Олегович Соловьёв",
        ["Dmitry Solovyov"],
        "1983-12-01",
        ["ru"],
        ["role.pep", "sanction"],
        ["Dmitri Soloviev", "Dmitriy Solovyev", "Solovyov Dmitry Olegovich", "D. O. Solovyov"],
        ["RUS"],
    ),
    Listed(
        "lab-ru-5",
        "Тимур Русланович Кузьмин",
        [],
        "1979-09-19",
        ["kz"],
        ["crime"],
        ["Timur Kuzmin", "Timur Ruslanovich Kuzmin", "Kuzmin Timur", "Timur Kouzmine"],
        ["KAZ"],
    ),
    # Arabic.
    Listed(
        "lab-ar-1",
        "محمد سلمان القحطاني",
        ["Mohammed Salman al-Qahtani"],
        "1976-04-12",
        ["sa"],
        ["sanction"],
        [
            "Muhammad Salman al-Qahtani",
            "Mohamed Salman Al Qahtani",
            "Mohammad al-Qahtani",
            "Al-Qahtani Mohammed Salman",
            "Mohammed Salman Alqahtani",
            "Mohammed Al Kahtani",
        ],
        ["SAU"],
    ),
    Listed(
        "lab-ar-2",
        "خالد يوسف الشمري",
        ["Khaled Youssef al-Shammari"],
        "1981-02-27",
        ["iq"],
        ["sanction", "crime"],
        [
            "Khalid Yusuf al-Shammari",
            "Khaled Yousef Al Shammari",
            "Khalid al-Shamari",
            "Shammari Khaled",
            "Khaled Youssef Shamari",
        ],
        ["IRQ"],
    ),
    Listed(
        "lab-ar-3",
        "عمر إبراهيم حداد",
        ["Omar Ibrahim Haddad"],
        "1965-10-30",
        ["lb"],
        ["role.pep"],
        ["Umar Ibrahim Haddad", "Omar Haddad", "Omar Ibraheem Hadad", "Haddad Omar Ibrahim"],
        ["LBN"],
    ),
    Listed(
        "lab-ar-4",
        "حسين طارق التميمي",
        ["Hussein Tariq al-Tamimi"],
        "1973-07-07",
        ["sy"],
        ["sanction"],
        ["Husain Tarek al-Tamimi", "Hussein al Tamimi", "Hussain Tariq Tamimi", "Tamimi Hussein"],
        ["SYR"],
    ),
    # Chinese.
    Listed(
        "lab-zh-1",
        "王建国",
        ["Wang Jianguo"],
        "1962-05-20",
        ["cn"],
        ["sanction"],
        ["Wang Jian Guo", "Jianguo Wang", "Wang Jian-guo", "Wang Jiangou"],
        ["CHN"],
    ),
    Listed(
        "lab-zh-2",
        "李明华",
        [],
        "1970-08-08",
        ["cn"],
        ["role.pep"],
        ["Li Minghua", "Minghua Li", "Li Ming Hua", "Li Ming-hua"],
        ["CHN"],
    ),
    Listed(
        "lab-zh-3",
        "张伟",
        ["Zhang Wei"],
        "1985-03-15",
        ["hk"],
        ["sanction"],
        ["Zhang Wei", "Wei Zhang", "Zhang Wie"],
        ["HKG"],
    ),
    Listed(
        "lab-zh-4",
        "陈秀英",
        [],
        "1958-11-11",
        ["tw"],
        ["role.pep"],
        ["Chen Xiuying", "Xiuying Chen", "Chen Xiu Ying", "Chen Xiu-ying"],
        ["TWN"],
    ),
]


def listed_entity(listed: Listed) -> dict[str, Any]:
    """As the list publishes it: a FollowTheMoney entity."""
    return {
        "id": listed.id,
        "schema": "Person",
        "properties": {
            "name": [listed.name],
            "alias": listed.aliases,
            "birthDate": [listed.birth_date],
            "nationality": listed.countries,
            "topics": listed.topics,
            "sourceUrl": [f"https://lists.example.org/entities/{listed.id}"],
        },
    }


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


CHILEAN_GIVEN = _words(
    "Juan José Luis Carlos Jorge Manuel Francisco Pedro Miguel Cristián Rodrigo Felipe "
    "Sebastián Matías Nicolás Diego Alejandro Andrés Pablo Gonzalo Patricio Mauricio "
    "Claudio Sergio Ricardo Fernando Héctor Raúl Eduardo Víctor Benjamín Vicente Tomás "
    "María Ana Carolina Javiera Francisca Valentina Camila Catalina Daniela Constanza "
    "Fernanda Paula Alejandra Claudia Patricia Verónica Marcela Carmen Rosa Isabel Sofía "
    "Florencia Antonia Isidora Josefa Macarena Pilar Soledad Ximena Paola"
)
CHILEAN_SURNAMES = _words(
    "González Muñoz Rojas Díaz Pérez Soto Contreras Silva Martínez Sepúlveda Morales "
    "Rodríguez López Fuentes Hernández Torres Araya Flores Espinoza Valenzuela Castillo "
    "Tapia Reyes Gutiérrez Castro Pizarro Álvarez Vásquez Sánchez Fernández Ramírez "
    "Carrasco Gómez Cortés Herrera Núñez Jara Vergara Rivera Figueroa Riquelme García "
    "Miranda Bravo Vera Molina Vega Campos Sandoval Orellana Zúñiga Olivares Alarcón "
    "Gallardo Ortiz Garrido Salazar Guzmán Henríquez Saavedra Navarro Aguilera Parra "
    "Romero Aravena Vargas Vidal Cáceres Yáñez Leiva Escobar Ruiz Valdés Poblete Lagos"
)


def chilean_peps(count: int = 300, *, seed: int = 1973) -> list[dict[str, Any]]:
    """Listed Chilean PEPs from the same names as the clean clients: a list that serves Chile
    holds them, and they are what a clean client's name can collide with. A third are listed
    with the first surname only."""
    rng = random.Random(seed)
    entities = []
    for number in range(count):
        given = " ".join(rng.sample(CHILEAN_GIVEN, 2 if rng.random() < 0.5 else 1))
        surnames = rng.sample(CHILEAN_SURNAMES, 1 if rng.random() < 0.33 else 2)
        born = f"{rng.randint(1940, 1990)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        entities.append(
            {
                "id": f"cl-pep-{number}",
                "schema": "Person",
                "properties": {
                    "name": [f"{given} {' '.join(surnames)}"],
                    "birthDate": [born],
                    "nationality": ["cl"],
                    "topics": ["role.pep"],
                },
            }
        )
    return entities


@dataclass(frozen=True)
class Clean:
    name: str
    birth_date: datetime.date
    countries: list[str]


def clean_chileans(count: int = 400, *, seed: int = 56) -> list[Clean]:
    """Chilean clients, half typed without accents, a third with two given names."""
    rng = random.Random(seed)
    people = []
    for _ in range(count):
        given = " ".join(rng.sample(CHILEAN_GIVEN, 2 if rng.random() < 0.35 else 1))
        first, second = rng.sample(CHILEAN_SURNAMES, 2)
        name = f"{given} {first} {second}"
        if rng.random() < 0.5:
            name = ascii_text(name)
        born = datetime.date(rng.randint(1940, 2004), rng.randint(1, 12), rng.randint(1, 28))
        people.append(Clean(name=name, birth_date=born, countries=["CHL"]))
    return people
