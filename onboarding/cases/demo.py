"""A fully filled-in onboarding, as the section forms post it: for demos, benchmarks and tests."""

from stdnum.cl import rut as chile_rut

from onboarding.accounts.models import User
from onboarding.cases.models import Case, Section
from onboarding.cases.services import case_section_save

CLIENT = {
    "first_name": ["Juan"],
    "paternal_last_name": ["García"],
    "maternal_last_name": ["López"],
    "contact_type": ["SUBSCRIBER"],
    "contact_means": ["EMAIL"],
    "preferred_contact_language": ["SPANISH"],
    "preferred_email": ["juan@example.com"],
    "date_of_birth": ["1980-05-20"],
    "gender": ["MALE"],
    "phone_code": ["+56"],
    "phone_number": ["961234567"],
    "identity_type": ["CHILE_RUT"],
    "identity_id": ["12.345.678-5"],
    "identity_country": ["CHL"],
    "contact_source": ["conSource001"],
    "market_segment": ["conSegment002"],
}
ADDRESS = {
    "addresses-TOTAL_FORMS": ["1"],
    "addresses-INITIAL_FORMS": ["0"],
    "addresses-0-street_name": ["Avenida Apoquindo"],
    "addresses-0-street_number": ["3000"],
    "addresses-0-country": ["CHL"],
    "addresses-0-city": ["Santiago"],
    "addresses-0-address_type": ["HOME"],
    "addresses-0-is_primary": ["on"],
}
SALES = {
    "stage_name": ["conStage002"],
    "display_name": ["Juan García"],
    "annual_income": ["90000000"],
    "liquid_net_worth": ["300000000"],
    "total_net_worth": ["350000000"],
    "country_of_citizenship": ["CHL"],
    "country_of_birth": ["CHL"],
    **ADDRESS,
}
COMPLIANCE = {
    "identity_issuing_authority": ["Registro Civil"],
    "compliance_address": ["same"],
    "addresses-TOTAL_FORMS": ["0"],
    "addresses-INITIAL_FORMS": ["0"],
    "documents-TOTAL_FORMS": ["0"],
    "documents-INITIAL_FORMS": ["0"],
    "employment-TOTAL_FORMS": ["1"],
    "employment-INITIAL_FORMS": ["0"],
    "employment-0-employment_status": ["employed"],
    "employment-0-employer_name": ["Viña Andes SpA"],
    "employment-0-start_date": ["2010-03-01"],
    "peps-TOTAL_FORMS": ["1"],
    "peps-INITIAL_FORMS": ["0"],
}
ACTIVATION = {"login_email": ["same"]}
SECTIONS: dict[str, dict[str, list[str]]] = {
    "client": CLIENT,
    "sales": SALES,
    "compliance": COMPLIANCE,
    "activation": ACTIVATION,
}


def rut_for(number: int) -> str:
    """A valid Chilean RUT for a number, as Altafid keeps it ("12345678-5")."""
    body = str(10_000_000 + number % 90_000_000)
    return f"{body}-{chile_rut.calc_check_digit(body)}"


def case_fill(
    case: Case, user: User, *, email: str | None = None, identity: str | None = None
) -> Case:
    """Saves every section of `case`, as an RM would have; returns the case.

    `email` and `identity` (a RUT) make this client a person of their own: Altafid is
    searched by both before a contact is created.
    """
    for section, sample in SECTIONS.items():
        raw = dict(sample)
        if email and section == "client":
            raw["preferred_email"] = [email]
        if identity and section == "client":
            raw["identity_id"] = [identity]
        case = case_section_save(
            case=case, section=Section(section), raw=raw, version=case.version, user=user
        ).case
    return case
