"""Reference data every installation shares: the ten councils, goals, ways of working, themes,
the councils' organisations and the programme team, and the audit chain's genesis head.

Populations: Census 2021 usual residents (ONS), as published by StatsWales.
Goal names as worded in the Well-being of Future Generations (Wales) Act 2015, s.4.
"""

from django.db import migrations

SOURCE = "Census 2021 usual residents, StatsWales"

COUNCILS = [
    # gss, slug, English, Welsh, population
    ("W06000019", "blaenau-gwent", "Blaenau Gwent", "Blaenau Gwent", 66_899),
    ("W06000013", "bridgend", "Bridgend", "Pen-y-bont ar Ogwr", 145_500),
    ("W06000018", "caerphilly", "Caerphilly", "Caerffili", 175_948),
    ("W06000015", "cardiff", "Cardiff", "Caerdydd", 362_312),
    ("W06000024", "merthyr-tydfil", "Merthyr Tydfil", "Merthyr Tudful", 58_839),
    ("W06000021", "monmouthshire", "Monmouthshire", "Sir Fynwy", 92_958),
    ("W06000022", "newport", "Newport", "Casnewydd", 159_587),
    ("W06000016", "rhondda-cynon-taf", "Rhondda Cynon Taf", "Rhondda Cynon Taf", 237_658),
    ("W06000020", "torfaen", "Torfaen", "Tor-faen", 92_263),
    ("W06000014", "vale-of-glamorgan", "Vale of Glamorgan", "Bro Morgannwg", 131_947),
]

GOALS = [
    ("prosperous", "A prosperous Wales", "Cymru lewyrchus",
     "An innovative, productive, low-carbon society that uses resources efficiently and offers "
     "decent work.",
     "Cymdeithas arloesol, gynhyrchiol, carbon isel sy'n defnyddio adnoddau'n effeithlon ac yn "
     "cynnig gwaith gweddus."),
    ("resilient", "A resilient Wales", "Cymru gydnerth",
     "A biodiverse natural environment with healthy ecosystems that can adapt to change.",
     "Amgylchedd naturiol bioamrywiol ag ecosystemau iach sy'n gallu addasu i newid."),
    ("healthier", "A healthier Wales", "Cymru iachach",
     "A society in which people's physical and mental well-being is as good as it can be.",
     "Cymdeithas lle mae llesiant corfforol a meddyliol pobl cystal ag y gall fod."),
    ("more-equal", "A more equal Wales", "Cymru sy'n fwy cyfartal",
     "A society in which people can fulfil their potential whatever their background or "
     "circumstances.",
     "Cymdeithas sy'n galluogi pobl i gyflawni eu potensial ni waeth beth yw eu cefndir na'u "
     "hamgylchiadau."),
    ("cohesive-communities", "A Wales of cohesive communities", "Cymru o gymunedau cydlynus",
     "Attractive, viable, safe and well-connected communities.",
     "Cymunedau deniadol, hyfyw a diogel sydd â chysylltiadau da."),
    ("culture-and-language", "A Wales of vibrant culture and thriving Welsh language",
     "Cymru â diwylliant bywiog lle mae'r Gymraeg yn ffynnu",
     "A society that promotes and protects culture, heritage and the Welsh language, and "
     "encourages people to take part in the arts, sport and recreation.",
     "Cymdeithas sy'n hyrwyddo ac yn diogelu diwylliant, treftadaeth a'r Gymraeg, ac sy'n annog "
     "pobl i gymryd rhan yn y celfyddydau, chwaraeon a hamdden."),
    ("globally-responsible", "A globally responsible Wales",
     "Cymru sy'n gyfrifol ar lefel fyd-eang",
     "A nation that considers whether what it does makes a positive contribution to global "
     "well-being.",
     "Cenedl sy'n ystyried a yw'r hyn y mae'n ei wneud yn cyfrannu'n gadarnhaol at lesiant "
     "byd-eang."),
]

WAYS_OF_WORKING = [
    ("long-term", "Long term", "Hirdymor",
     "Balancing short-term needs with the need to safeguard the ability to meet long-term needs.",
     "Cydbwyso anghenion tymor byr â'r angen i ddiogelu'r gallu i ddiwallu anghenion hirdymor."),
    ("prevention", "Prevention", "Atal",
     "Acting to prevent problems occurring or getting worse.",
     "Gweithredu i atal problemau rhag digwydd neu waethygu."),
    ("integration", "Integration", "Integreiddio",
     "Considering how objectives affect each of the well-being goals and the objectives of other "
     "public bodies.",
     "Ystyried sut mae amcanion yn effeithio ar bob un o'r nodau llesiant ac ar amcanion cyrff "
     "cyhoeddus eraill."),
    ("collaboration", "Collaboration", "Cydweithio",
     "Working with others to help meet well-being objectives.",
     "Gweithio gydag eraill i helpu i gyflawni amcanion llesiant."),
    ("involvement", "Involvement", "Cynnwys",
     "Involving people with an interest in the well-being goals, reflecting the diversity of the "
     "area.",
     "Cynnwys pobl sydd â diddordeb yn y nodau llesiant, gan adlewyrchu amrywiaeth yr ardal."),
]

THEMES = [
    ("transforming-communities", "Transforming communities", "Trawsnewid cymunedau",
     "Places and services that change with, and for, the people who live in them.",
     "Lleoedd a gwasanaethau sy'n newid gyda'r bobl sy'n byw ynddynt, ac ar eu cyfer."),
    ("improving-public-health", "Improving public health", "Gwella iechyd y cyhoedd",
     "Better health, and narrower health inequalities, across the region.",
     "Gwell iechyd, ac anghydraddoldebau iechyd culach, ar draws y rhanbarth."),
    ("decarbonisation", "Decarbonisation", "Datgarboneiddio",
     "Cutting the region's greenhouse gas emissions towards net zero.",
     "Torri allyriadau nwyon tŷ gwydr y rhanbarth tuag at sero net."),
]

PROGRAMME = ("ccr-programme", "Cardiff Capital Region programme team",
             "Tîm rhaglen Prifddinas-Ranbarth Caerdydd")


def load(apps, schema_editor):
    Council = apps.get_model("core", "Council")
    Organisation = apps.get_model("core", "Organisation")
    for gss, slug, en, cy, population in COUNCILS:
        council, _ = Council.objects.update_or_create(
            gss_code=gss,
            defaults={"slug": slug, "name": en, "name_en": en, "name_cy": cy,
                      "population": population, "population_year": 2021,
                      "population_source": SOURCE},
        )
        Organisation.objects.update_or_create(
            slug=slug,
            defaults={"kind": "council", "council": council, "name": en, "name_en": en,
                      "name_cy": cy},
        )
    slug, en, cy = PROGRAMME
    Organisation.objects.update_or_create(
        slug=slug, defaults={"kind": "programme", "name": en, "name_en": en, "name_cy": cy}
    )
    for model_name, rows in (("WellbeingGoal", GOALS), ("WayOfWorking", WAYS_OF_WORKING),
                             ("Theme", THEMES)):
        model = apps.get_model("core", model_name)
        for position, (code, en, cy, desc_en, desc_cy) in enumerate(rows, start=1):
            model.objects.update_or_create(
                code=code,
                defaults={"position": position, "name": en, "name_en": en, "name_cy": cy,
                          "description": desc_en, "description_en": desc_en,
                          "description_cy": desc_cy},
            )
    AuditHead = apps.get_model("core", "AuditHead")
    AuditHead.objects.get_or_create(id=1, defaults={"sequence": 0, "hash": "0" * 64})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
