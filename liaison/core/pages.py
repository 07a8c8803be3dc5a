"""The page-step kit: a record's page and the small POST views of its steps.

A workflow page shows one record and, for each step the user may take now, a form.
Each step posts to its own view, which calls one service and then:

- on success, redirects back to the page, at the step's anchor, with a message;
- when the service refuses, shows the page again with the error on that form and
  everything typed still in it: status 403 when the refusal is about who the user is
  (their role or department: ``forbidden``), 200 otherwise (the record's state, the input).

A user whose role does not carry the step's action gets the page again with status 403 and
the reason, before the form is read.
Every page is drawn inside the back office's layout (``page_context``).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.core.errors import LiaisonError
from liaison.core.forms import add_service_error
from liaison.core.roles import Action, allowed


def page_context(request, *, title, opts=None, **extra) -> dict:
    """What every Liaison page starts from: the back office's layout (sidebar, user menu), a title."""
    context = {**admin.site.each_context(request), "title": title, **extra}
    if opts is not None:
        context["opts"] = opts
    return context


def require_page(user, action: Action | str, obj=None) -> None:
    """Answer 403 unless ``user`` may take ``action`` (on ``obj``, where an object rule exists)."""
    if not allowed(user, action, obj):
        raise PermissionDenied


def nothing_saved(request) -> None:
    """Tell the clerk the step was not taken and where to look."""
    messages.error(request, _("Nothing was saved; see the form marked below."))


def show_refused(can: dict, bound: dict) -> dict:
    """``can`` with every step whose form came back refused shown, whatever the user may do now."""
    for key in bound:
        can[key if isinstance(key, str) else key[0]] = True
    return can


def refusal_status(error: LiaisonError) -> int:
    """403 when the user's role or department refused the step, else 200 (the page shows why)."""
    return 403 if error.forbidden else 200


@dataclass(frozen=True)
class Done:
    """What a step returns when it sends the clerk elsewhere than back to the page: to the record it made."""

    message: str
    url: str


@dataclass(frozen=True)
class RecordPage:
    """A record's page (or a list's, whose steps make records) and the views of its steps.

    ``load(request, **url_kwargs)`` reads what the page shows (raising ``Http404``);
    ``render(request, page, bound, status)`` draws it, with ``bound`` the forms that came
    back refused, keyed by step (or ``(step, item id)``); ``url(page)`` is the page's
    address. ``permission``: what the page and any step of it need first (reading the record).
    """

    load: Callable
    render: Callable
    url: Callable
    permission: str | None = None

    def _check(self, user) -> None:
        if self.permission is not None and not user.has_perm(self.permission):
            raise PermissionDenied

    def view(self, doc: str):
        """The page itself (GET): what the user may read of the record and the steps they may take now."""

        @login_required
        def view(request, **kwargs):
            self._check(request.user)
            return self.render(request, self.load(request, **kwargs), {}, 200)

        view.__doc__ = doc
        return view

    def step(
        self,
        key: str,
        *,
        form: type,
        anchor: str = "",
        actions: Iterable[Action] = (),
        prefix: str | None = None,
        items: Callable | None = None,
        item_field: str = "",
        form_kwargs: Callable | None = None,
    ):
        """Make ``run(request, page, form) -> message`` the POST view of the step ``key``.

        ``run`` returns the success message, or ``Done(message, url)`` to send the clerk to
        the record the step made instead of back to the page.

        ``form`` is bound to the POST with ``prefix`` (``key`` by default) and
        ``form_kwargs(page)``. A step about one item of the page (an open clarification, a
        sign-off line) names them with ``items(page)``; the form's hidden ``item_field``
        says which, its prefix is ``<prefix>-<id>``, ``form_kwargs(page, item)`` and
        ``form.item`` is the item (404 when it is not among them).
        """
        actions = tuple(actions)
        prefix = prefix or key

        def decorate(run):
            @require_POST
            @login_required
            def view(request, **kwargs):
                self._check(request.user)
                page = self.load(request, **kwargs)
                refused = next((action for action in actions if not allowed(request.user, action)), None)
                if refused is not None:
                    # Nothing is read of the form: the page again, saying why (a stale tab, a forwarded link).
                    messages.error(request, str(refused.refusal()))
                    return self.render(request, page, {}, 403)
                bound_form, bound_key = self._bind(request, page, form, prefix, key, items, item_field, form_kwargs)
                status = 200
                if bound_form.is_valid():
                    try:
                        done = run(request, page, bound_form)
                    except LiaisonError as error:
                        _add_error(bound_form, error)
                        status = refusal_status(error)
                    else:
                        if not isinstance(done, Done):
                            done = Done(done, self.url(page) + (f"#{anchor}" if anchor else ""))
                        if done.message:
                            messages.success(request, done.message)
                        return redirect(done.url)
                nothing_saved(request)
                return self.render(request, page, {bound_key: bound_form}, status)

            view.__name__ = view.__qualname__ = run.__name__
            view.__doc__ = run.__doc__
            return view

        return decorate

    @staticmethod
    def _bind(request, page, form, prefix, key, items, item_field, form_kwargs):
        if items is None:
            extra = form_kwargs(page) if form_kwargs else {}
            return form(request.POST, prefix=prefix, **extra), key
        name = next((k for k in request.POST if k.startswith(f"{prefix}-") and k.endswith(f"-{item_field}")), "")
        try:
            item_pk = int(request.POST.get(name, ""))
        except ValueError:
            raise Http404 from None
        item = next((candidate for candidate in items(page) if candidate.pk == item_pk), None)
        if item is None:
            raise Http404
        extra = form_kwargs(page, item) if form_kwargs else {}
        bound = form(request.POST, prefix=f"{prefix}-{item_pk}", **extra)
        bound.item = item
        return bound, (key, item_pk)


def _add_error(form, error: LiaisonError) -> None:
    """The kit's page forms place a refusal themselves (``Form.service_fields``); any other form by field name."""
    if hasattr(form, "add_service_error"):
        form.add_service_error(error)
    else:
        add_service_error(form, error)
