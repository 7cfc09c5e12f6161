"""Business actions on the partnership: its agencies' staff accounts."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.partnership.models import Agency, Role, StaffMember


@transaction.atomic
def create_staff_member(  # noqa: C901, PLR0913 (one check per field of the account, each reported at once)
    *,
    username: str,
    agency_code: str,
    role: str,
    password: str,
    is_volunteer: bool = False,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    by: StaffMember | None = None,
) -> StaffMember:
    """Create a staff account of one agency, with a role and a password that passes the validators.

    `by` is the administrator acting in the web app; None means the server's operator at the
    command line. A volunteer always has the volunteer role, so no access rule can mistake one for
    a practitioner. An administrator can use Django's admin site.
    """
    if by is not None and not (by.role == Role.ADMIN or by.is_superuser):
        raise NotPermitted("Only an administrator can create staff accounts.")
    username = (username or "").strip()
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = "Enter a username"
    else:
        try:
            StaffMember.username_validator(username)
        except ValidationError:
            errors["username"] = "A username may contain only letters, numbers and the characters @ . + - _"
        if "username" not in errors and StaffMember.objects.filter(username__iexact=username).exists():
            errors["username"] = f"There is already an account called {username}"
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None:
        codes = ", ".join(Agency.objects.order_by("code").values_list("code", flat=True)) or "none yet"
        errors["agency"] = f"There is no agency with the code {agency_code!r}. Agency codes: {codes}"
    if role not in Role.values:
        errors["role"] = f"There is no role {role!r}. Roles: {', '.join(Role.values)}"
    elif is_volunteer and role != Role.VOLUNTEER:
        errors["role"] = f"A volunteer has the role {Role.VOLUNTEER.value}, not {role}"
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "Enter an email address in the correct format, like name@example.org"
    member = StaffMember(
        username=username,
        agency=agency,
        role=role,
        is_volunteer=is_volunteer or role == Role.VOLUNTEER,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    try:
        password_validation.validate_password(password, user=member)
    except ValidationError as error:
        errors["password"] = " ".join(error.messages)
    if errors:
        raise InvalidInput("The account was not created: correct the problems listed.", field_errors=errors)
    member.set_password(password)
    member.save()
    return member
