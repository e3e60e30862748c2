"""The one shape of a page that changes something: form → service → message → next page.

Every lab's pages use these two helpers, so a change made on a page always behaves the same way:
on success the person is told what happened and sent to the page that shows it (POST, redirect,
GET); when the service refuses the input, its problems are shown on the form's fields (or above
the form) and the page is shown again with status 400, keeping what was typed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from infuse.core.asking import Steps, ask_to_take, asked_words
from infuse.core.errors import Conflict, InvalidInput, Message
from infuse.core.forms import ServiceForm, ServiceFormSet
from infuse.core.notifications import Words
from infuse.core.permissions import person_of

T = TypeVar("T")
CHANGED_SINCE = _(
    "What this page describes changed after you opened it. Read it again, then confirm."
)
Context = Mapping[str, Any] | Callable[[], Mapping[str, Any]]


def _text(value: Message | Callable[[T], Message], result: T) -> str:
    return str(value(result) if callable(value) else value)


def form_page(
    request: HttpRequest,
    form: ServiceForm | ServiceFormSet,
    *,
    template: str,
    save: Callable[[Any], T],
    success: Message | Callable[[T], Message],
    then: str | Callable[[T], str],
    context: Context | None = None,
    form_name: str = "form",
) -> HttpResponse:
    """Show ``form`` on ``template``; on a valid POST run ``save(form)`` (one service call).

    ``success`` is the message (or a function of what ``save`` returned) and ``then`` the URL or
    URL name to go to next (or a function of the result giving the URL). ``context`` (a mapping,
    or a function giving one, called only when the page is shown) fills the rest of the page;
    the form goes in as ``form_name``.
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form)
        except (InvalidInput, Conflict) as error:
            form.add_problems(error.problems or [error])
        else:
            messages.success(request, _text(success, result))
            return redirect(then(result) if callable(then) else then)
    shown = dict(context() if callable(context) else context or {})
    shown[form_name] = form
    # GOV.UK: a page showing a form's problems starts its title with "Error:".
    shown["page_has_errors"] = form.has_problems()
    return render(request, template, shown, status=400 if shown["page_has_errors"] else 200)


def action_page(
    request: HttpRequest,
    *,
    run: Callable[[], T],
    success: Message | Callable[[T], Message],
    then: str,
) -> HttpResponse:
    """A button with nothing to fill in (publish, launch, accept): run one service call, then
    go to ``then`` with its message, or with the service's refusal as error messages."""
    try:
        result = run()
    except (InvalidInput, Conflict) as error:
        _show_refusal(request, error)
    else:
        messages.success(request, _text(success, result))
    return redirect(then)


def confirm_page(
    request: HttpRequest,
    *,
    title: Message,
    consequences: Sequence[Message],
    button: Message,
    back: str,
    run: Callable[[], T],
    success: Message | Callable[[T], Message],
    then: str,
    irreversible: bool = True,
    warning_button: bool = False,
    check: Callable[[], object] | None = None,
    version: Callable[[], str] | None = None,
) -> HttpResponse:
    """An irreversible step asks first (GOV.UK "confirm" pattern): GET shows what will happen
    and one button; the POST runs the one service call as :func:`action_page` does. ``back``
    is where "Cancel" and the back link go (the object's page). ``check`` raises why the step
    cannot be taken now: the page then never offers a button that would only be refused, but
    goes back with the reason. ``version`` names the state the page describes: when it has
    changed by the time the button is pressed, the page is shown again instead, so nobody
    confirms what they did not read."""
    if request.method == "POST":
        if version is not None and request.POST.get("version") != version():
            messages.error(request, CHANGED_SINCE)
            return redirect(request.path)
        return action_page(request, run=run, success=success, then=then)
    if check is not None:
        try:
            check()
        except (InvalidInput, Conflict) as error:
            _show_refusal(request, error)
            return redirect(back)
    return render(
        request,
        "core/confirm.html",
        {
            "title": title,
            "consequences": consequences,
            "button": button,
            "back": back,
            "irreversible": irreversible,
            "warning_button": warning_button,
            "version": version() if version is not None else None,
        },
    )


def _show_refusal(request: HttpRequest, error: InvalidInput | Conflict) -> None:
    for message in [p.message for p in error.problems] or [error.message]:
        messages.error(request, str(message))


def ask_page(
    request: HttpRequest,
    *,
    steps: Steps,
    what: Words,
    back: str,
    about: str,
    anchor: str = "steps",
) -> HttpResponse:
    """The "Ask them" button's POST: ask whoever the step waits on, then back to the steps
    (``anchor``, the task list's id on the page ``back``)."""
    try:
        asked, already = ask_to_take(
            reader=person_of(request),
            steps=steps,
            step_key=request.POST.get("step", ""),
            what=what,
            url=f"{back}#{anchor}",
            about=about,
        )
    except Conflict as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, asked_words(asked, already))
    return redirect(f"{back}#{anchor}")
