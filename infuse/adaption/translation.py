"""Content that people write in both languages (django-modeltranslation adds _en and _cy)."""

from modeltranslation.translator import TranslationOptions, register

from infuse.adaption.models import Experiment


@register(Experiment)
class ExperimentTranslation(TranslationOptions):
    fields = ("title", "problem", "hypothesis", "intervention")
    required_languages = ("en",)
