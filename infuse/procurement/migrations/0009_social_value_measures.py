"""The social value measures a bid can promise against, each serving one well-being goal and
counted in a unit the supplier can evidence. They follow the shape of the National TOMs Wales
(jobs, growth, communities, environment, Welsh language) in the platform's own words."""

from django.db import migrations

# code, goal, unit, title (en, cy), how it is counted (en, cy)
MEASURES = [
    ("local-jobs", "prosperous", "fte",
     "Local people employed on the contract",
     "Pobl leol a gyflogir ar y contract",
     "Full-time equivalent jobs on the contract held by people living in the ten councils' "
     "areas.",
     "Swyddi cyfwerth ag amser llawn ar y contract a ddelir gan bobl sy'n byw yn ardaloedd y "
     "deg cyngor."),
    ("apprenticeship-weeks", "prosperous", "weeks",
     "Apprenticeship weeks on the contract",
     "Wythnosau prentisiaeth ar y contract",
     "Weeks worked on the contract by apprentices on a recognised apprenticeship.",
     "Wythnosau o waith ar y contract gan brentisiaid ar brentisiaeth gydnabyddedig."),
    ("local-supply-chain", "prosperous", "pounds",
     "Spent with suppliers in the region",
     "Gwariant gyda chyflenwyr yn y rhanbarth",
     "Money paid to suppliers based in the ten councils' areas for work on the contract.",
     "Arian a dalwyd i gyflenwyr yn ardaloedd y deg cyngor am waith ar y contract."),
    ("sme-supply-chain", "prosperous", "pounds",
     "Spent with small businesses and social enterprises",
     "Gwariant gyda busnesau bach a mentrau cymdeithasol",
     "Money paid to small and medium-sized enterprises and voluntary, community or social "
     "enterprises in the contract's supply chain.",
     "Arian a dalwyd i fentrau bach a chanolig a mentrau gwirfoddol, cymunedol neu "
     "gymdeithasol yng nghadwyn gyflenwi'r contract."),
    ("green-space", "resilient", "square_metres",
     "Green space or habitat created or restored",
     "Man gwyrdd neu gynefin a grëwyd neu a adferwyd",
     "Area of land planted, rewilded or restored for nature as part of the contract.",
     "Arwynebedd tir a blannwyd, a ailwylltiwyd neu a adferwyd i fyd natur fel rhan o'r "
     "contract."),
    ("waste-diverted", "resilient", "tonnes",
     "Waste kept out of landfill",
     "Gwastraff a gadwyd o safleoedd tirlenwi",
     "Tonnes of the contract's waste reused, recycled or composted instead of landfilled.",
     "Tunelli o wastraff y contract a ailddefnyddiwyd, a ailgylchwyd neu a gompostiwyd yn "
     "hytrach na'u tirlenwi."),
    ("wellbeing-programme", "healthier", "people",
     "Staff on the contract in a health and well-being programme",
     "Staff ar y contract mewn rhaglen iechyd a llesiant",
     "People working on the contract who take part in a physical or mental health "
     "programme the supplier provides.",
     "Pobl sy'n gweithio ar y contract sy'n cymryd rhan mewn rhaglen iechyd corfforol neu "
     "feddyliol a ddarperir gan y cyflenwr."),
    ("health-volunteering", "healthier", "hours",
     "Hours volunteered for health and care charities",
     "Oriau o wirfoddoli i elusennau iechyd a gofal",
     "Hours staff give to health and care charities in the region in paid time.",
     "Oriau y mae staff yn eu rhoi i elusennau iechyd a gofal yn y rhanbarth yn ystod amser "
     "â thâl."),
    ("barrier-jobs", "more-equal", "fte",
     "People facing barriers to work employed on the contract",
     "Pobl sy'n wynebu rhwystrau i weithio a gyflogir ar y contract",
     "Full-time equivalent jobs held by people who were long-term unemployed, leaving care, "
     "disabled or leaving prison when they started.",
     "Swyddi cyfwerth ag amser llawn a ddelir gan bobl a oedd yn ddi-waith yn hirdymor, yn "
     "gadael gofal, yn anabl neu'n gadael y carchar pan ddechreuon nhw."),
    ("work-placements", "more-equal", "weeks",
     "Weeks of work placement for young people",
     "Wythnosau o leoliad gwaith i bobl ifanc",
     "Weeks of meaningful work placement for people aged 16 to 24.",
     "Wythnosau o leoliad gwaith ystyrlon i bobl rhwng 16 a 24 oed."),
    ("employability-support", "more-equal", "hours",
     "Hours of employability support",
     "Oriau o gymorth cyflogadwyedd",
     "Hours of careers advice, mock interviews and help with applications given to people "
     "out of work or at school or college.",
     "Oriau o gyngor gyrfaoedd, cyfweliadau ffug a help gyda cheisiadau a roddir i bobl "
     "sydd allan o waith neu yn yr ysgol neu'r coleg."),
    ("community-volunteering", "cohesive-communities", "hours",
     "Hours volunteered with community groups",
     "Oriau o wirfoddoli gyda grwpiau cymunedol",
     "Hours staff give to community groups in the region in paid time.",
     "Oriau y mae staff yn eu rhoi i grwpiau cymunedol yn y rhanbarth yn ystod amser â thâl."),
    ("community-donations", "cohesive-communities", "pounds",
     "Given to community projects",
     "Rhoddion i brosiectau cymunedol",
     "Money, equipment or materials, at their value, given to community projects in the "
     "region.",
     "Arian, offer neu ddeunyddiau, yn ôl eu gwerth, a roddir i brosiectau cymunedol yn y "
     "rhanbarth."),
    ("welsh-speaking-staff", "culture-and-language", "people",
     "Staff on the contract who can serve people in Welsh",
     "Staff ar y contract sy'n gallu gwasanaethu pobl yn Gymraeg",
     "People working with the public on the contract who can do so in Welsh.",
     "Pobl sy'n gweithio gyda'r cyhoedd ar y contract sy'n gallu gwneud hynny yn Gymraeg."),
    ("welsh-training", "culture-and-language", "hours",
     "Hours of Welsh language learning for staff",
     "Oriau o ddysgu Cymraeg i staff",
     "Hours of Welsh lessons taken in paid time by people working on the contract.",
     "Oriau o wersi Cymraeg a gymerwyd yn ystod amser â thâl gan bobl sy'n gweithio ar y "
     "contract."),
    ("carbon-saved", "globally-responsible", "tonnes_co2e",
     "Carbon emissions saved",
     "Allyriadau carbon a arbedwyd",
     "Tonnes of carbon dioxide equivalent the contract's delivery saves against the baseline "
     "agreed at award.",
     "Tunelli o garbon deuocsid cyfwerth y mae cyflawni'r contract yn eu harbed o'i gymharu "
     "â'r llinell sylfaen a gytunwyd wrth ddyfarnu."),
    ("zero-emission-miles", "globally-responsible", "miles",
     "Miles driven in zero-emission vehicles",
     "Milltiroedd a yrrwyd mewn cerbydau allyriadau sero",
     "Miles driven for the contract in vehicles with no exhaust emissions.",
     "Milltiroedd a yrrwyd ar gyfer y contract mewn cerbydau heb allyriadau o'r bibell "
     "wacáu."),
]


def load(apps, schema_editor):
    Goal = apps.get_model("core", "WellbeingGoal")
    Measure = apps.get_model("procurement", "SocialValueMeasure")
    goals = {goal.code: goal for goal in Goal.objects.all()}
    for position, (code, goal, unit, title_en, title_cy, how_en, how_cy) in enumerate(
        MEASURES, start=1
    ):
        Measure.objects.update_or_create(
            code=code,
            defaults={
                "goal": goals[goal],
                "unit": unit,
                "position": position,
                "title": title_en,
                "title_en": title_en,
                "title_cy": title_cy,
                "description": how_en,
                "description_en": how_en,
                "description_cy": how_cy,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_reference_data"),
        ("procurement", "0008_social_value_and_register"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
