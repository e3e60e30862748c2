"""Content that people write in both languages (django-modeltranslation adds _en and _cy)."""

from modeltranslation.translator import TranslationOptions, register

from infuse.fund.models import Fund


@register(Fund)
class FundTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)
