"""Procurement Lab and Challenge Fund JSON endpoints: thin wrappers over the services, so the
API does what the pages do, with the same refusals (RFC 9457 problem details). The open
contracting data is public: release and record packages per contracting process (a challenge
phase) or all."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from infuse.core.api_auth import OPTIONAL_AUTH, caller
from infuse.core.errors import NotFound
from infuse.core.models import Organisation, Person
from infuse.core.schemas import ProblemOut
from infuse.procurement import ocds, services
from infuse.procurement.models import (
    Award,
    Bid,
    Challenge,
    Clarification,
    Contract,
    Milestone,
    Phase,
)
from infuse.procurement.schemas import (
    AnswerIn,
    AwardIn,
    BidIn,
    BidOut,
    ChallengeIn,
    ChallengeOut,
    ContractTermsIn,
    CriterionIO,
    DeclarationIn,
    Done,
    MilestoneIn,
    ModerationIn,
    OpeningOut,
    PanelIn,
    PhaseIn,
    QuestionIn,
    ScoreIn,
    SupplierIn,
)

router = Router(tags=["Procurement Lab"])
ERRORS: dict[int, Any] = {
    400: ProblemOut,
    401: ProblemOut,
    403: ProblemOut,
    404: ProblemOut,
    409: ProblemOut,
}


def challenge_out(challenge: Challenge) -> dict[str, Any]:
    return {
        "slug": challenge.slug,
        "title_en": challenge.title_en,
        "title_cy": challenge.title_cy or "",
        "summary_en": challenge.summary_en or "",
        "summary_cy": challenge.summary_cy or "",
        "problem_en": challenge.problem_en or "",
        "problem_cy": challenge.problem_cy or "",
        "owner": challenge.owner.slug,
        "councils": sorted(challenge.councils.values_list("gss_code", flat=True)),
        "themes": sorted(challenge.themes.values_list("code", flat=True)),
        "goals": sorted(challenge.goals.values_list("code", flat=True)),
        "published_at": challenge.published_at,
        "phases": [
            {
                "number": phase.number,
                "ocid": phase.ocid,
                "state": phase.state,
                "budget_pence": phase.budget_pence,
                "contracts_planned": phase.contracts_planned,
                "opens_at": phase.opens_at,
                "clarification_deadline": phase.clarification_deadline,
                "submission_deadline": phase.submission_deadline,
                "evaluation_ends_on": phase.evaluation_ends_on,
                "award_expected_on": phase.award_expected_on,
                "price_formula": phase.price_formula,
                "criteria": [
                    {
                        "id": c.pk,
                        "kind": c.kind,
                        "title_en": c.title_en,
                        "title_cy": c.title_cy or "",
                        "guidance_en": c.guidance_en or "",
                        "guidance_cy": c.guidance_cy or "",
                        "weight": c.weight,
                        "goal": c.goal.code if c.goal else "",
                    }
                    for c in phase.criteria.select_related("goal")
                ],
                "clarifications": [
                    {
                        "question": c.published_question_en,
                        "answer": c.answer_en,
                        "answered_at": c.answered_at,
                    }
                    for c in services.published_clarifications(phase)
                ],
            }
            for phase in challenge.phases.all()
        ],
    }


def _fields(payload: ChallengeIn) -> services.ChallengeFields:
    data = payload.dict()
    owner = Organisation.objects.filter(slug=data.pop("owner")).first()
    return services.ChallengeFields(owner=owner or Organisation(), **data)


def _challenge(request: HttpRequest, slug: str) -> Challenge:
    return services.get_challenge(actor=caller(request), slug=slug)


def _phase(request: HttpRequest, slug: str, number: int) -> Phase:
    return services.phase_at(actor=caller(request), slug=slug, number=number)


@router.get(
    "/challenges",
    response={200: list[ChallengeOut]},
    auth=OPTIONAL_AUTH,
    summary="Challenges the caller may see (published ones for the public)",
)
def list_challenges(request: HttpRequest) -> list[dict[str, Any]]:
    return [challenge_out(c) for c in services.visible_challenges(caller(request))]


@router.post(
    "/challenges",
    response={201: ChallengeOut, **ERRORS},
    summary="Add a draft challenge (procurement officers)",
)
def create_challenge(request: HttpRequest, payload: ChallengeIn) -> Status[dict[str, Any]]:
    made = services.create_challenge(actor=caller(request), fields=_fields(payload))
    return Status(201, challenge_out(made))


@router.get(
    "/challenges/{slug}",
    response={200: ChallengeOut, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="One challenge with its phases, criteria and published answers",
)
def get_challenge(request: HttpRequest, slug: str) -> dict[str, Any]:
    return challenge_out(_challenge(request, slug))


@router.put(
    "/challenges/{slug}/phases/{number}",
    response={200: ChallengeOut, **ERRORS},
    summary="Add or change a phase of a draft challenge",
)
def save_phase(request: HttpRequest, slug: str, number: int, payload: PhaseIn) -> dict[str, Any]:
    challenge = _challenge(request, slug)
    services.save_phase(
        actor=caller(request),
        challenge=challenge,
        fields=services.PhaseFields(**{**payload.dict(), "number": number}),
    )
    return challenge_out(challenge)


@router.put(
    "/challenges/{slug}/phases/{number}/criteria",
    response={200: ChallengeOut, **ERRORS},
    summary="Set a phase's criteria and weights (they total 100, with price and social value)",
)
def set_criteria(
    request: HttpRequest, slug: str, number: int, payload: list[CriterionIO]
) -> dict[str, Any]:
    phase = _phase(request, slug, number)
    services.set_criteria(
        actor=caller(request),
        phase=phase,
        criteria=[
            services.CriterionFields(**{k: v for k, v in c.dict().items() if k != "id"})
            for c in payload
        ],
    )
    return challenge_out(phase.challenge)


@router.post(
    "/challenges/{slug}/publish",
    response={200: ChallengeOut, **ERRORS},
    summary="Publish a challenge: public, open for questions and bids, in OCDS",
)
def publish_challenge(request: HttpRequest, slug: str) -> dict[str, Any]:
    challenge = _challenge(request, slug)
    services.publish_challenge(actor=caller(request), challenge=challenge)
    return challenge_out(challenge)


@router.post(
    "/suppliers",
    response={201: Done, **ERRORS},
    auth=OPTIONAL_AUTH,
    summary="Register a supplier organisation and its first person (no sign-in needed)",
)
def register_supplier(request: HttpRequest, payload: SupplierIn) -> Status[dict[str, Any]]:
    data = payload.dict()
    person = services.register_supplier(
        email=data.pop("email"),
        full_name=data.pop("full_name"),
        password=data.pop("password"),
        fields=services.SupplierFields(**data),
    )
    return Status(201, {"id": services.supplier_of(person).pk, "status": "registered"})


@router.post(
    "/challenges/{slug}/phases/{number}/questions",
    response={201: Done, **ERRORS},
    summary="Ask a clarification question (suppliers; answered publicly, without your name)",
)
def ask_question(
    request: HttpRequest, slug: str, number: int, payload: QuestionIn
) -> Status[dict[str, Any]]:
    asked = services.ask_question(
        actor=caller(request), phase=_phase(request, slug, number), question=payload.question
    )
    return Status(201, {"id": asked.pk, "status": "asked"})


@router.post(
    "/questions/{pk}/answer",
    response={200: Done, **ERRORS},
    summary="Publish the answer to a question (the buyer)",
)
def answer_question(request: HttpRequest, pk: int, payload: AnswerIn) -> dict[str, Any]:
    question = services.find(Clarification, pk)
    services.answer_question(actor=caller(request), clarification=question, **payload.dict())
    return {"id": question.pk, "status": "answered"}


def bid_out(actor: Any, bid: Bid) -> dict[str, Any]:
    content = services.read_bid(actor=actor, bid=bid)
    bid.refresh_from_db()
    return {
        "id": bid.pk,
        "supplier": bid.supplier.name,
        "submitted_at": bid.submitted_at,
        "withdrawn_at": bid.withdrawn_at,
        "answers": content.answers,
        "price_pence": content.price_pence,
        "documents": content.documents,
    }


@router.put(
    "/challenges/{slug}/phases/{number}/bid",
    response={200: BidOut, **ERRORS},
    summary="Save your organisation's bid (sealed; until the deadline)",
)
def save_bid(request: HttpRequest, slug: str, number: int, payload: BidIn) -> dict[str, Any]:
    actor = caller(request)
    bid = services.save_bid(
        actor=actor,
        phase=_phase(request, slug, number),
        answers=payload.answers,
        price_pence=payload.price_pence,
    )
    return bid_out(actor, bid)


@router.post(
    "/challenges/{slug}/phases/{number}/bid/submit",
    response={200: BidOut, **ERRORS},
    summary="Submit your organisation's bid (it stays changeable until the deadline)",
)
def submit_bid(request: HttpRequest, slug: str, number: int) -> dict[str, Any]:
    actor = caller(request)
    bid = services.own_bid(actor=actor, phase=_phase(request, slug, number))
    if bid is None:
        raise NotFound()
    return bid_out(actor, services.submit_bid(actor=actor, bid=bid))


@router.get(
    "/bids/{pk}",
    response={200: BidOut, **ERRORS},
    summary="A bid: its supplier always; after the two-person opening, those evaluating it",
)
def get_bid(request: HttpRequest, pk: int) -> dict[str, Any]:
    return bid_out(caller(request), services.find(Bid, pk))


@router.post(
    "/challenges/{slug}/phases/{number}/opening",
    response={200: OpeningOut, **ERRORS},
    summary="Ask to open the bids after the deadline, or confirm a colleague's request",
)
def open_bids(request: HttpRequest, slug: str, number: int) -> dict[str, Any]:
    actor = caller(request)
    phase = _phase(request, slug, number)
    opening = services.open_bids(actor=actor, phase=phase)
    return {
        "requested_by": opening.requested_by.email,
        "requested_at": opening.requested_at,
        "confirmed_by": opening.confirmed_by.email if opening.confirmed_by else None,
        "confirmed_at": opening.confirmed_at,
    }


@router.put(
    "/challenges/{slug}/phases/{number}/panel",
    response={200: Done, **ERRORS},
    summary="Choose the evaluation panel (by email)",
)
def set_panel(request: HttpRequest, slug: str, number: int, payload: PanelIn) -> dict[str, Any]:
    phase = _phase(request, slug, number)
    people = list(Person.objects.filter(email__in=[e.lower() for e in payload.evaluators]))
    services.assign_evaluators(actor=caller(request), phase=phase, evaluators=people)
    return {"id": phase.pk, "status": "panel-set"}


@router.post(
    "/bids/{pk}/declaration",
    response={201: Done, **ERRORS},
    summary="Declare any conflict of interest with a bidder, before seeing the bid",
)
def declare(request: HttpRequest, pk: int, payload: DeclarationIn) -> Status[dict[str, Any]]:
    made = services.declare_interest(
        actor=caller(request), bid=services.find(Bid, pk), **payload.dict()
    )
    return Status(201, {"id": made.pk, "status": "declared"})


@router.put(
    "/bids/{pk}/scores",
    response={200: Done, **ERRORS},
    summary="Save your scores for a bid (0–4 per criterion, with a comment)",
)
def save_scores(request: HttpRequest, pk: int, payload: list[ScoreIn]) -> dict[str, Any]:
    services.save_scores(
        actor=caller(request),
        bid=services.find(Bid, pk),
        scores={s.criterion: (s.score, s.comment) for s in payload},
    )
    return {"id": pk, "status": "saved"}


@router.post(
    "/bids/{pk}/scores/submit",
    response={200: Done, **ERRORS},
    summary="Submit your scores for a bid (then you see the panel's)",
)
def submit_scores(request: HttpRequest, pk: int) -> dict[str, Any]:
    services.submit_scores(actor=caller(request), bid=services.find(Bid, pk))
    return {"id": pk, "status": "submitted"}


@router.post(
    "/bids/{pk}/moderation",
    response={200: Done, **ERRORS},
    summary="Record the panel's consensus score and rationale for one criterion",
)
def moderate(request: HttpRequest, pk: int, payload: ModerationIn) -> dict[str, Any]:
    bid = services.find(Bid, pk)
    criterion = bid.phase.criteria.filter(pk=payload.criterion).first()
    if criterion is None:
        raise NotFound()
    services.moderate(
        actor=caller(request),
        bid=bid,
        criterion=criterion,
        score=payload.score,
        rationale=payload.rationale,
    )
    return {"id": pk, "status": "moderated"}


@router.get(
    "/challenges/{slug}/phases/{number}/evaluation",
    response={200: dict, **ERRORS},
    summary="The ranking (points per criterion, totals) and the ±10-point sensitivity check",
)
def evaluation(request: HttpRequest, slug: str, number: int) -> dict[str, Any]:
    table = services.evaluation_table(actor=caller(request), phase=_phase(request, slug, number))
    return {
        "complete": table.complete,
        "ranking": [
            {
                "bid": row["bid"].pk,
                "supplier": row["supplier"].name,
                "rank": row["rank"],
                "total": row["total"],
                "price_pence": row["price_pence"],
                "points": {str(k): v for k, v in row["points"].items()},
                "winner": row["winner"],
            }
            for row in table.rows
        ],
        "sensitivity": [
            {
                "criterion": s.criterion,
                "change": s.change,
                "winners": list(s.winners),
                "changed": s.changed,
            }
            for s in table.scenarios
        ],
    }


@router.post(
    "/challenges/{slug}/phases/{number}/award",
    response={201: Done, **ERRORS},
    summary="Decide the award from the moderated ranking (the standstill period starts)",
)
def award(request: HttpRequest, slug: str, number: int, payload: AwardIn) -> Status[dict[str, Any]]:
    made = services.award_phase(
        actor=caller(request), phase=_phase(request, slug, number), rationale=payload.rationale
    )
    return Status(201, {"id": made.pk, "status": made.status})


@router.post(
    "/awards/{pk}/confirm",
    response={200: list[Done], **ERRORS},
    summary="After the standstill: make the contracts and commit the money (all or none)",
)
def confirm_award(
    request: HttpRequest, pk: int, payload: list[ContractTermsIn]
) -> list[dict[str, Any]]:
    contracts = services.confirm_award(
        actor=caller(request),
        award=services.find(Award, pk),
        terms=[services.ContractTerms(**t.dict()) for t in payload],
    )
    return [{"id": c.pk, "status": c.status} for c in contracts]


@router.post(
    "/contracts/{pk}/milestones",
    response={201: Done, **ERRORS},
    summary="Add a payment milestone to a contract",
)
def add_milestone(request: HttpRequest, pk: int, payload: MilestoneIn) -> Status[dict[str, Any]]:
    made = services.add_milestone(
        actor=caller(request), contract=services.find(Contract, pk), **payload.dict()
    )
    return Status(201, {"id": made.pk, "status": "scheduled"})


@router.put(
    "/contracts/{pk}/outcomes",
    response={200: Done, **ERRORS},
    summary="Link Data Lab indicators that measure what the contract is for",
)
def link_outcomes(request: HttpRequest, pk: int, payload: list[str]) -> dict[str, Any]:
    services.link_outcomes(
        actor=caller(request), contract=services.find(Contract, pk), indicators=payload
    )
    return {"id": pk, "status": "linked"}


@router.post(
    "/milestones/{pk}/accept",
    response={200: Done, **ERRORS},
    summary="Accept the work a milestone pays for",
)
def accept_milestone(request: HttpRequest, pk: int) -> dict[str, Any]:
    services.accept_milestone(actor=caller(request), milestone=services.find(Milestone, pk))
    return {"id": pk, "status": "met"}


@router.post(
    "/milestones/{pk}/payment",
    response={201: Done, **ERRORS},
    summary="Pay an accepted milestone from the Challenge Fund (fund managers)",
)
def pay_milestone(request: HttpRequest, pk: int) -> Status[dict[str, Any]]:
    payment = services.pay_milestone(actor=caller(request), milestone=services.find(Milestone, pk))
    return Status(201, {"id": payment.pk, "status": "paid"})


@router.get(
    "/bids/{pk}/feedback",
    response={200: dict, **ERRORS},
    summary="Feedback for a bidder: their scores and the winner's, once the award is decided",
)
def feedback(request: HttpRequest, pk: int) -> dict[str, Any]:
    told = services.feedback(actor=caller(request), bid=services.find(Bid, pk))

    def summary(part: dict[str, Any]) -> dict[str, Any]:
        return {
            "supplier": part["supplier"],
            "rank": part["rank"],
            "total": part["total"],
            "criteria": [
                {
                    "criterion": row["criterion"].title_en,
                    "weight": row["criterion"].weight,
                    "score": row["score"],
                    "points": row["points"],
                    "rationale": row["rationale"],
                }
                for row in part["criteria"]
            ],
        }

    return {
        "successful": told.successful,
        "bidders": told.bidders,
        "reasons": told.award.rationale,
        "yours": summary(told.mine),
        "winners": [summary(w) for w in told.winners],
    }


def _published_ocids() -> list[str]:
    return list(
        Phase.objects.filter(challenge__published_at__isnull=False)
        .order_by("pk")
        .values_list("ocid", flat=True)
    )


def _known(ocid: str) -> str:
    if ocid not in _published_ocids():
        raise NotFound()
    return ocid


@router.get(
    "/ocds/releases",
    response={200: dict},
    auth=OPTIONAL_AUTH,
    summary="OCDS 1.1 release package: every release of every published challenge phase",
)
def ocds_releases(request: HttpRequest) -> dict[str, Any]:
    return ocds.release_package(ocds.published_releases(), request.build_absolute_uri())


@router.get(
    "/ocds/records",
    response={200: dict},
    auth=OPTIONAL_AUTH,
    summary="OCDS 1.1 record package: a compiled record per contracting process",
)
def ocds_records(request: HttpRequest) -> dict[str, Any]:
    return ocds.record_package(_published_ocids(), request.build_absolute_uri())


@router.get(
    "/ocds/{ocid}/releases",
    response={200: dict, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="OCDS 1.1 release package of one contracting process",
)
def ocds_process_releases(request: HttpRequest, ocid: str) -> dict[str, Any]:
    return ocds.release_package(ocds.published_releases(_known(ocid)), request.build_absolute_uri())


@router.get(
    "/ocds/{ocid}/record",
    response={200: dict, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="OCDS 1.1 record package of one contracting process",
)
def ocds_process_record(request: HttpRequest, ocid: str) -> dict[str, Any]:
    return ocds.record_package([_known(ocid)], request.build_absolute_uri())
