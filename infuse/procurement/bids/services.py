"""Use cases of sealed bids: save (with documents) and submit while the phase is open, withdraw,
read (only the bidder, and after the two-person opening those evaluating it), and the opening.

Deadlines are decided by the server's clock (``timezone.now()``) at the moment of the change,
inside the transaction, never by what a form was showing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.core import audit, files
from infuse.core.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Person
from infuse.core.permissions import can
from infuse.procurement import sealing
from infuse.procurement.bids import sealed
from infuse.procurement.bids.schemas import BidIn
from infuse.procurement.bids.sealed import BidContent
from infuse.procurement.challenges.services import MAX_DOCUMENT_BYTES, document_too_big
from infuse.procurement.challenges.steps import announce_phase
from infuse.procurement.models import Bid, BidDocument, Challenge, Criterion, Opening, Phase
from infuse.procurement.social_value import services as social_value
from infuse.procurement.suppliers.services import supplier_of, works_for
from infuse.procurement.timetable import when


def _before_deadline(phase: Phase) -> None:
    """Bids change only while the phase is open, by the server's clock."""
    moment = timezone.now()
    if moment >= phase.submission_deadline:
        raise Conflict(
            _("The deadline for bids was %(deadline)s: bids can no longer be made or changed.")
            % {"deadline": when(phase.submission_deadline)}
        )
    if phase.state_at(moment) != Phase.State.OPEN:
        raise Conflict(_("This phase is not open for bids."))


def own_bid(*, actor: Any, phase: Phase) -> Bid | None:
    """The bid the actor's organisation has started for the phase (suppliers only)."""
    return phase.bid_of(supplier_of(actor))


def _missing(phase: Phase, content: BidContent) -> list[FieldProblem]:
    """What a bid lacks before it can count: an answer per scored criterion and a price."""
    problems = [
        FieldProblem(f"answer_{c.pk}", _("Answer ‘%(criterion)s’") % {"criterion": c.title})
        for c in phase.criteria.exclude(kind=Criterion.Kind.PRICE)
        if not content.answers.get(str(c.pk), "").strip()
    ]
    if content.price_pence is None:
        problems.append(FieldProblem("price", _("Enter your price")))
    return problems


def _checked_input(phase: Phase, bid_in: BidIn) -> None:
    criteria = {str(c.pk) for c in phase.criteria.exclude(kind=Criterion.Kind.PRICE)}
    if set(bid_in.answers) - criteria:
        raise InvalidInput(problems=[FieldProblem("answers", _("Answer the phase's criteria"))])
    if bid_in.price_pence is not None and bid_in.price_pence <= 0:
        raise InvalidInput(problems=[FieldProblem("price", _("Enter a price of more than £0"))])


def _read_document(upload: files.Upload) -> bytes:
    data = bytearray()
    for chunk in upload.chunks:
        data += chunk
        if len(data) > MAX_DOCUMENT_BYTES:
            raise document_too_big()
    if not data:
        raise InvalidInput(problems=[FieldProblem("file", _("The file is empty"))])
    return bytes(data)


def _locked_bid(actor: Person, phase: Phase) -> tuple[Bid, BidContent]:
    """The organisation's bid for the phase, locked for this transaction (made if new)."""
    supplier = supplier_of(actor)
    bid = Bid.objects.select_for_update().filter(phase=phase, supplier=supplier).first()
    if bid is not None:
        return bid, sealed.unsealed(bid)
    try:
        with transaction.atomic():
            bid = Bid.objects.create(phase=phase, supplier=supplier, sealed=b"", created_by=actor)
    except IntegrityError:  # a colleague started it at the same moment
        bid = Bid.objects.select_for_update().get(phase=phase, supplier=supplier)
        return bid, sealed.unsealed(bid)
    return bid, BidContent()


def _attach(bid: Bid, content: BidContent, upload: files.Upload, data: bytes) -> None:
    document = BidDocument.objects.create(bid=bid, path="", size_bytes=len(data))
    document.path = sealed.store_document(bid, document, data)
    document.save(update_fields=["path"])
    content.documents.append(
        {"id": document.pk, "name": upload.name[:255], "content_type": upload.content_type[:100]}
    )


def save_bid(
    *,
    actor: Person,
    phase: Phase,
    bid_in: BidIn,
    documents: Sequence[files.Upload] = (),
    submit: bool = False,
) -> Bid:
    """Create or change the actor's organisation's bid, sealed, while the phase is open: its
    answers and price, any documents added, and, with ``submit``, submitted — all of it or,
    if anything is refused (a missing answer, the deadline), none of it."""
    supplier_of(actor)
    if not can(actor, "procurement.bid", phase.challenge):
        raise PermissionDenied()
    _checked_input(phase, bid_in)
    commitments = social_value.checked_commitments(phase, bid_in.commitments)
    contents = [(upload, _read_document(upload)) for upload in documents]
    with transaction.atomic():
        _before_deadline(phase)
        bid, content = _locked_bid(actor, phase)
        _before_deadline(phase)  # again, now that the row is ours: the clock may have moved
        content.answers = {k: v for k, v in bid_in.answers.items() if v.strip()}
        content.price_pence = bid_in.price_pence
        content.commitments = commitments
        for upload, data in contents:
            _attach(bid, content, upload, data)
        bid.sealed = sealed.seal(bid, content)
        bid.updated_at = timezone.now()
        bid.withdrawn_at = None
        missing = _missing(phase, content)
        if submit and missing:
            raise InvalidInput(problems=missing)
        if submit:
            bid.submitted_at = timezone.now()
        elif missing:
            bid.submitted_at = None  # a submitted bid is always complete
        bid.save()
        audit.record_event(
            actor=actor,
            action="bid.saved",
            obj=bid,
            # Nothing of the sealed contents (not even their size) until the opening.
            after={"phase": phase.pk, "supplier": bid.supplier.slug},
        )
        if submit:
            audit.record_event(
                actor=actor, action="bid.submitted", obj=bid, after={"phase": phase.pk}
            )
    return bid


def add_bid_document(*, actor: Person, bid: Bid, upload: files.Upload) -> BidDocument:
    """Attach one file to the organisation's bid, sealed with the challenge's key, while the
    phase is open (the bid's answers and price stay as they are)."""
    if bid.supplier_id != supplier_of(actor).pk:
        raise NotFound()
    data = _read_document(upload)
    with transaction.atomic():
        bid = Bid.objects.select_for_update().get(pk=bid.pk)
        _before_deadline(bid.phase)
        content = sealed.unsealed(bid)
        _attach(bid, content, upload, data)
        bid.sealed = sealed.seal(bid, content)
        bid.updated_at = timezone.now()
        bid.save(update_fields=["sealed", "updated_at"])
        audit.record_event(actor=actor, action="bid.document_added", obj=bid)
    return bid.documents.get(pk=content.documents[-1]["id"])


def missing_from(bid: Bid) -> list[FieldProblem]:
    """What the stored bid lacks before it can be submitted (its check page lists them)."""
    return _missing(bid.phase, sealed.unsealed(bid))


def submit_bid(*, actor: Person, bid: Bid) -> Bid:
    """Mark the bid as submitted: every criterion answered and a price given. It can still be
    changed (and stays submitted) until the deadline."""
    if bid.supplier_id != supplier_of(actor).pk:
        raise NotFound()
    with transaction.atomic():
        bid = Bid.objects.select_for_update().get(pk=bid.pk)  # what is stored now
        _before_deadline(bid.phase)
        problems = _missing(bid.phase, sealed.unsealed(bid))
        if problems:
            raise InvalidInput(problems=problems)
        bid.submitted_at = timezone.now()
        bid.withdrawn_at = None
        bid.save(update_fields=["submitted_at", "withdrawn_at"])
        audit.record_event(
            actor=actor, action="bid.submitted", obj=bid, after={"phase": bid.phase_id}
        )
    return bid


def withdraw_bid(*, actor: Person, bid: Bid) -> Bid:
    """Take the organisation's bid out of the competition (it can be submitted again before
    the deadline)."""
    if bid.supplier_id != supplier_of(actor).pk:
        raise NotFound()
    with transaction.atomic():
        bid = Bid.objects.select_for_update().get(pk=bid.pk)
        _before_deadline(bid.phase)
        bid.withdrawn_at = timezone.now()
        bid.submitted_at = None
        bid.save(update_fields=["withdrawn_at", "submitted_at"])
        audit.record_event(actor=actor, action="bid.withdrawn", obj=bid)
    return bid


def bid_known_to(actor: Any, pk: Any) -> Bid:
    """The bid with id ``pk`` for someone who may know it exists: its supplier's people, the
    officers running its challenge and the phase's evaluators. Anyone else gets NotFound, the
    same answer as for an id that does not exist, so ids cannot be probed. What they may then
    do with it (read it, score it) the use case decides, and explains."""
    bid = Bid.objects.select_related("phase__challenge", "supplier").filter(pk=pk).first()
    if bid is None or not getattr(actor, "is_authenticated", False):
        raise NotFound()
    if works_for(actor, bid.supplier_id) or bid.phase.has_evaluator(actor):
        return bid
    if can(actor, "procurement.change_challenge", bid.phase.challenge):
        return bid
    raise NotFound()


def may_read_bid(actor: Any, bid: Bid) -> bool:
    """The supplier's own people always; after the two-person opening, the officers running
    the challenge and assigned evaluators who declared no conflict with this bid. Nobody
    else, programme admins included."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if works_for(actor, bid.supplier_id):
        return True
    phase = bid.phase
    if not phase.bids_opened or bid.submitted_at is None or bid.withdrawn_at is not None:
        return False
    if can(actor, "procurement.change_challenge", phase.challenge):
        return True
    return (
        phase.has_evaluator(actor)
        and bid.declarations.filter(evaluator=actor, has_conflict=False).exists()
    )


def read_bid(*, actor: Any, bid: Bid) -> BidContent:
    """The bid as stored now, for those who may read it."""
    bid = Bid.objects.select_related("phase__challenge").get(pk=bid.pk)
    if not may_read_bid(actor, bid):
        raise PermissionDenied()
    return sealed.unsealed(bid)


def read_bid_document(*, actor: Any, pk: int) -> tuple[str, str, bytes]:
    """(file name, content type, bytes) of a bid's document, for those who may read the bid."""
    document = BidDocument.objects.select_related("bid__phase__challenge").filter(pk=pk).first()
    if document is None:
        raise NotFound()
    content = read_bid(actor=actor, bid=document.bid)
    meta = next((d for d in content.documents if d["id"] == document.pk), None)
    if meta is None:
        raise NotFound()
    return meta["name"], meta["content_type"], sealed.open_document(document)


# --- Opening: the two-person rule ---------------------------------------------------------------


def request_opening(*, actor: Person, phase: Phase) -> Opening:
    """The first of two authorised officers asks to open the bids, after the deadline."""
    if not can(actor, "procurement.open_bids", phase.challenge):
        raise PermissionDenied()
    with transaction.atomic():
        _raise_opening_refusal(actor, phase, None)
        try:
            with transaction.atomic():
                opening = Opening.objects.create(phase=phase, requested_by=actor)
        except IntegrityError:  # asked already (perhaps at this very moment)
            raise Conflict(_("Opening has already been asked for.")) from None
        audit.record_event(
            actor=actor,
            action="bids.opening_requested",
            obj=phase,
            after={"bids": phase.received_bids().count()},
        )
        announce_phase(actor, phase)  # a second officer, to confirm
    return opening


def confirm_opening(*, actor: Person, phase: Phase) -> Opening:
    """A second, different authorised officer confirms: the bids are open."""
    if not can(actor, "procurement.open_bids", phase.challenge):
        raise PermissionDenied()
    with transaction.atomic():
        opening = Opening.objects.select_for_update().filter(phase=phase).first()
        if opening is None:
            raise Conflict(_("Another authorised officer must ask to open the bids first."))
        _raise_opening_refusal(actor, phase, opening)
        opening.confirmed_by = actor
        opening.confirmed_at = timezone.now()
        opening.save(update_fields=["confirmed_by", "confirmed_at"])
        audit.record_event(
            actor=actor,
            action="bids.opened",
            obj=phase,
            after={
                "requested_by": opening.requested_by.email,
                "confirmed_by": actor.email,
                "bids": list(phase.received_bids().values_list("pk", flat=True)),
            },
        )
        announce_phase(actor, phase)
    return opening


def _raise_opening_refusal(actor: Any, phase: Phase, opening: Opening | None) -> None:
    """The two-person rule, given the phase's opening as it stands (``None``: not asked yet):
    asking waits for the deadline; confirming needs an unconfirmed opening asked by another."""
    if opening is None:
        if timezone.now() < phase.submission_deadline:
            raise Conflict(
                _("Bids can be opened after the deadline, %(deadline)s.")
                % {"deadline": when(phase.submission_deadline)}
            )
    elif opening.confirmed_at is not None:
        raise Conflict(_("The bids are open already."))
    elif opening.requested_by_id == actor.pk:
        raise Conflict(
            _("A second, different officer must confirm the opening (the two-person rule).")
        )


def check_opening(*, actor: Any, phase: Phase) -> None:
    """Why ``actor`` cannot ask for (or confirm) the opening now (raised); the confirmation
    page asks before it offers the button."""
    if not can(actor, "procurement.open_bids", phase.challenge):
        raise PermissionDenied()
    _raise_opening_refusal(actor, phase, Opening.objects.filter(phase=phase).first())


def open_bids(*, actor: Person, phase: Phase) -> Opening:
    """The one button: ask to open the bids or, if a colleague asked, confirm it."""
    if Opening.objects.filter(phase=phase).exists():
        return confirm_opening(actor=actor, phase=phase)
    return request_opening(actor=actor, phase=phase)


def rotate_keys() -> int:
    """Rewrap every challenge key with the current master key; returns how many changed."""
    changed = 0
    for challenge in Challenge.objects.exclude(key_id=sealing.current_key_id()):
        with transaction.atomic():
            locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
            wrapped, key_id = sealing.rewrap(bytes(locked.wrapped_key), locked.key_id)
            Challenge.objects.filter(pk=locked.pk).update(wrapped_key=wrapped, key_id=key_id)
            audit.record_event(
                actor=None,
                action="challenge.key_rewrapped",
                obj=locked,
                before={"key_id": challenge.key_id},
                after={"key_id": key_id},
            )
            changed += 1
    return changed
