"""Protocol pages: the list, the readable page and its print view, approval and the lifecycle
buttons, YAML export and import, and the simulator. Thin: every change is a service call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from iomshare.errors import DomainError
from iomshare.kit.form_pages import render_form_page
from iomshare.partnership.models import Role
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.protocols import readable, selectors, services, simulator, yaml_format
from iomshare.protocols.forms import ImportProtocolForm, ProtocolActionForm
from iomshare.protocols.models import AGREEMENT_ELEMENTS, Protocol, ProtocolStatus

MAX_IMPORT_BYTES = 512 * 1024


def _protocol(protocol_id: int) -> Protocol:
    protocol = selectors.protocol_page(protocol_id)
    if protocol is None:
        raise Http404("No such protocol")
    return protocol


def _context(request: SignedInRequest, protocol: Protocol, **extra) -> dict:
    user = request.user
    party_ids = {agency.pk for agency in protocol.parties.all()}
    is_party_lead = user.role == Role.IG_LEAD and user.agency_id in party_ids
    is_owner_lead = user.role == Role.IG_LEAD and user.agency_id == protocol.owner_agency_id
    family = selectors.versions_of(protocol.reference)
    return {
        "protocol": protocol,
        "clauses": readable.describe(protocol),
        "approvals": selectors.approvals_by_party(protocol),
        "agreement": [
            (heading, getattr(protocol, name))
            for name, heading, _ in AGREEMENT_ELEMENTS
            if getattr(protocol, name)
        ],
        "versions": family,
        # Comments are between the parties' IG leads and the drafter, not for every reader.
        "change_requests": list(protocol.change_requests.all())
        if is_party_lead or (protocol.created_by_id and protocol.created_by_id == user.pk)
        else [],
        "may_edit": protocol.status == ProtocolStatus.DRAFT and is_party_lead,
        "may_approve": selectors.may_approve(protocol, user),
        "may_suspend": is_party_lead and protocol.status == ProtocolStatus.ACTIVE,
        "may_resume": is_owner_lead and protocol.status == ProtocolStatus.SUSPENDED,
        "may_expire": is_owner_lead and protocol.status in {ProtocolStatus.ACTIVE, ProtocolStatus.SUSPENDED},
        "may_draft_next": (
            user.role in services.ROLES_THAT_DRAFT
            and (user.role != Role.IG_LEAD or is_party_lead)
            and protocol.pk == family[0].pk
            and protocol.status != ProtocolStatus.DRAFT
        ),
        "policy_problems": services.policy_problems(protocol)
        if protocol.status == ProtocolStatus.DRAFT
        else [],
        "nav": "protocols",
        "page_title": protocol.title,
        **extra,
    }


@login_required
def protocol_list(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "protocols/list.html",
        {
            "protocols": selectors.protocol_list(),
            "may_import": request.user.role in services.ROLES_THAT_DRAFT,
            "nav": "protocols",
            "page_title": "Information sharing protocols",
        },
    )


@login_required
def protocol_detail(request: SignedInRequest, protocol_id: int) -> HttpResponse:
    protocol = _protocol(protocol_id)
    return render(request, "protocols/detail.html", _context(request, protocol, errors={}))


@login_required
def protocol_print(request: SignedInRequest, protocol_id: int) -> HttpResponse:
    protocol = _protocol(protocol_id)
    return render(request, "protocols/print.html", _context(request, protocol))


@login_required
def protocol_export(request: SignedInRequest, protocol_id: int) -> HttpResponse:
    protocol = _protocol(protocol_id)
    response = HttpResponse(
        yaml_format.dump_protocol(protocol), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{protocol.reference}-v{protocol.version}.yaml"'
    return response


@login_required
@require_POST
def protocol_action(request: SignedInRequest, protocol_id: int, action: str) -> HttpResponse:
    """Approve, suspend, resume, end, or draft the next version: each a service, each explained."""
    protocol = _protocol(protocol_id)
    form = ProtocolActionForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data["reason"]
    try:
        if action == "approve":
            services.approve_protocol(protocol, by=request.user)
            protocol.refresh_from_db()
            done = (
                "Your agency's approval is recorded. Every party has approved: the protocol is now active."
                if protocol.status == ProtocolStatus.ACTIVE
                else "Your agency's approval is recorded."
            )
        elif action == "suspend":
            services.suspend(protocol, by=request.user, reason=reason)
            done = "The protocol is suspended: nothing is shared under it until it is resumed."
        elif action == "resume":
            services.activate(protocol, by=request.user)
            done = "The protocol is active again."
        elif action == "expire":
            services.expire(protocol, by=request.user, reason=reason)
            done = "The protocol has ended: nothing is shared under it any more."
        elif action == "new-version":
            draft = services.new_version(protocol, by=request.user)
            messages.success(
                request,
                f"Version {draft.version} is drafted as a copy of the version in force. Change it "
                "below; each party's information-governance lead has been asked to approve it.",
            )
            return redirect("protocols:changes", draft.pk)
        else:
            raise Http404("No such action")
    except DomainError as error:
        errors = error.field_errors or {"action": error.message}
        protocol = _protocol(protocol_id)
        return render(
            request,
            "protocols/detail.html",
            _context(request, protocol, errors=errors, page_title=f"Error: {protocol.title}"),
            status=error.status,
        )
    messages.success(request, done)
    return redirect("protocols:detail", protocol.pk)


@login_required
def protocol_import(request: SignedInRequest) -> HttpResponse:
    """Import a YAML file as a draft; on any problem, list them all and change nothing."""
    problems: list[yaml_format.FileProblem] = []
    errors: dict[str, str] = {}
    text = ""
    if request.method == "POST":
        form = ImportProtocolForm(request.POST, request.FILES)
        form.is_valid()
        upload = form.cleaned_data["file"]
        if upload is not None:
            if upload.size > MAX_IMPORT_BYTES:
                errors["file"] = "The file must be smaller than 512 KB"
            else:
                try:
                    text = upload.read().decode("utf-8")
                except UnicodeDecodeError:
                    errors["file"] = "The file must be a YAML text file in UTF-8"
        else:
            text = form.cleaned_data["text"]
        if not errors and not text.strip():
            errors["file"] = "Choose a protocol file, or paste its text"
        if not errors:
            try:
                spec = yaml_format.read_protocol(text)
                protocol = services.draft_protocol(spec, by=request.user)
            except yaml_format.ProtocolFileInvalid as error:
                problems = error.problems
                errors["file"] = error.message
            except DomainError as error:
                errors["file"] = error.message
            else:
                messages.success(
                    request,
                    f"Imported as a draft (version {protocol.version}). Each party must now approve it.",
                )
                return redirect("protocols:detail", protocol.pk)
    return render_form_page(
        request,
        "protocols/import.html",
        {"problems": problems, "text": text if request.method == "POST" else "", "nav": "protocols"},
        title="Import a protocol",
        errors=errors,
    )


@login_required
def protocol_simulate(request: SignedInRequest, protocol_id: int) -> HttpResponse:
    protocol = _protocol(protocol_id)
    result = simulator.simulate(protocol)
    return render(
        request,
        "protocols/simulate.html",
        {
            "protocol": protocol,
            "simulation": result,
            "nav": "protocols",
            "page_title": f"Simulate {protocol.title}",
        },
    )
