"""Content that people write in both languages (django-modeltranslation adds _en and _cy)."""

from modeltranslation.translator import TranslationOptions, register

from infuse.adaption.models import Decision, Experiment, Outcome


@register(Experiment)
class ExperimentTranslation(TranslationOptions):
    fields = ("title", "problem", "hypothesis", "intervention")
    required_languages = ("en",)


@register(Outcome)
class OutcomeTranslation(TranslationOptions):
    fields = ("name",)


@register(Decision)
class DecisionTranslation(TranslationOptions):
    fields = ("rationale",)
