"""Fields stored in English and Welsh (django-modeltranslation adds ``_en`` and ``_cy``)."""

from modeltranslation.translator import TranslationOptions, register

from infuse.core.models import (
    Council,
    NationalIndicator,
    NationalMilestone,
    Notification,
    Organisation,
    Theme,
    WayOfWorking,
    WellbeingGoal,
)


@register(Council)
class CouncilTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en", "cy")


@register([WellbeingGoal, WayOfWorking, Theme])
class ReferenceTermTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"en": ("name",), "cy": ("name",)}


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)


@register([NationalIndicator, NationalMilestone])
class NationalTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en", "cy")


@register(Notification)
class NotificationTranslation(TranslationOptions):
    fields = ("subject", "body")
    required_languages = ("en", "cy")
