"""Content that people write in both languages (django-modeltranslation adds _en and _cy)."""

from modeltranslation.translator import TranslationOptions, register

from infuse.procurement.models import (
    Challenge,
    Clarification,
    Criterion,
    Document,
    Milestone,
    SocialValueMeasure,
)


@register(Challenge)
class ChallengeTranslation(TranslationOptions):
    fields = ("title", "summary", "problem")
    required_languages = ("en",)


@register(Criterion)
class CriterionTranslation(TranslationOptions):
    fields = ("title", "guidance")
    required_languages = ("en",)


@register(Document)
class DocumentTranslation(TranslationOptions):
    fields = ("title",)
    required_languages = ("en",)


@register(Clarification)
class ClarificationTranslation(TranslationOptions):
    fields = ("published_question", "answer")


@register(Milestone)
class MilestoneTranslation(TranslationOptions):
    fields = ("title",)
    required_languages = ("en",)


@register(SocialValueMeasure)
class SocialValueMeasureTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = ("en",)
