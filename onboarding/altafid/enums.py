"""Every fixed enumeration of the Altafid contact API, in one place.

Source: seed 000 "Hardcoded Enums" (which the API says it enforces) and, where that table is
silent, the request tables of the same seed. Where the seeds disagree the table wins; see
docs/altafid-contract.md "Where the seeds disagree".
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Gender(models.TextChoices):
    MALE = "MALE", _("Male")
    FEMALE = "FEMALE", _("Female")
    OTHER = "OTHER", _("Other")


class MaritalStatus(models.TextChoices):
    SINGLE = "SINGLE", _("Single")
    MARRIED = "MARRIED", _("Married")
    DIVORCED = "DIVORCED", _("Divorced")
    WIDOWED = "WIDOWED", _("Widowed")


class ContactMeans(models.TextChoices):
    EMAIL = "EMAIL", _("E-mail")
    PHONE = "PHONE", _("Phone")
    MESSAGE = "MESSAGE", _("Message")


class ContactPreference(models.TextChoices):
    EMAIL = "EMAIL", _("E-mail")
    CALL = "CALL", _("Call")
    MESSAGE = "MESSAGE", _("Message")


class IdentityType(models.TextChoices):
    CHILE_RUT = "CHILE_RUT", _("Chilean RUT")
    PASSPORT = "PASSPORT", _("Passport")
    NATIONAL_ID = "NATIONAL_ID", _("National ID")
    US_EIN = "US_EIN", _("US EIN")
    DRIVING_LICENSE = "DRIVING_LICENSE", _("Driving licence")
    UK_COMPANY_NUMBER = "UK_COMPANY_NUMBER", _("UK company number")
    BVI_COMPANY_NUMBER = "BVI_COMPANY_NUMBER", _("BVI company number")


class Language(models.TextChoices):
    SPANISH = "SPANISH", _("Spanish")
    ENGLISH = "ENGLISH", _("English")


class ContactType(models.TextChoices):
    SUBSCRIBER = "SUBSCRIBER", _("Subscriber")
    ACTIVE = "ACTIVE", _("Active")


class ContactStatus(models.TextChoices):
    ACTIVE = "ACTIVE", _("Active")
    INACTIVE = "INACTIVE", _("Inactive")


class FirmType(models.TextChoices):
    TENANT = "TENANT", _("Tenant")
    PARTNER = "PARTNER", _("Partner")


class EmploymentStatus(models.TextChoices):
    EMPLOYED = "employed", _("Employed")
    SELF_EMPLOYED = "self-employed", _("Self-employed")
    HOMEMAKER = "homemaker", _("Homemaker")
    RETIRED = "retired", _("Retired")
    STUDENT = "student", _("Student")
    NOT_EMPLOYED = "not-employed", _("Not employed")


class AddressType(models.TextChoices):
    HOME = "HOME", pgettext_lazy("address type", "Home")
    WORK = "WORK", pgettext_lazy("address type", "Work")
    OTHER = "OTHER", _("Other")


class ContactAddressType(models.TextChoices):
    SALES = "SALES", _("Sales")
    COMPLIANCE = "COMPLIANCE", _("Compliance")


class DocumentType(models.TextChoices):
    CHILE_RUT_CARD = "CHILE_RUT_CARD", _("Chilean RUT card")
    PASSPORT = "PASSPORT", _("Passport")
    NATIONAL_ID = "NATIONAL_ID", _("National ID card")


class UserType(models.TextChoices):
    TENANT_STAFF = "TENANT_STAFF", _("Tenant staff")
    PARTNER_STAFF = "PARTNER_STAFF", _("Partner staff")
    CONTACT = "CONTACT", _("Contact")
