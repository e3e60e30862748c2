"""Content that people write in both languages (django-modeltranslation adds _en and _cy)."""

from modeltranslation.translator import TranslationOptions, register

from infuse.datalab.models import ComparatorGroup, Dataset, Indicator


@register(Dataset)
class DatasetTranslation(TranslationOptions):
    fields = ("title", "description", "spatial_coverage")
    required_languages = {"en": ("title", "description")}


@register(Indicator)
class IndicatorTranslation(TranslationOptions):
    fields = ("title", "description", "rationale", "caveats", "source")
    required_languages = ("en",)


@register(ComparatorGroup)
class ComparatorGroupTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en", "cy")
