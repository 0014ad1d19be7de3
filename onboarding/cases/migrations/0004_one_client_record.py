"""Each fact about the client gets one home: copies in later sections' drafts are removed.

Sections 2 to 4 used to be pre-filled once from section 1 (and 3 from 2). A copied value moves
to its home only when the home has none; otherwise the home's value wins, as it is the one
the RM kept up to date. The compliance address and the login e-mail become "the same as"
choices when they equal what they were copied from.
"""

from django.db import migrations

FROM_COMPLIANCE = {
    "first_name": "client",
    "middle_name": "client",
    "paternal_last_name": "client",
    "maternal_last_name": "client",
    "date_of_birth": "client",
    "gender": "client",
    "marital_status": "client",
    "preferred_contact_language": "client",
    "phone_code": "client",
    "phone_number": "client",
    "primary_country_of_citizenship": "sales:country_of_citizenship",
    "country_of_birth": "sales",
    "annual_income": "sales",
    "liquid_net_worth": "sales",
    "total_net_worth": "sales",
}
DROPPED = ("phone_country",)
ADDRESS_KEYS = ("street_name", "street_number", "city", "country")


def _first(raw, key):
    return ((raw or {}).get(key) or [""])[0].strip()


def _move(drafts, source, key, target):
    home, _colon, name = target.partition(":")
    name = name or key
    values = drafts[source].pop(key, None)
    if values is None or not _first({key: values}, key):
        return
    drafts.setdefault(home, {})
    if not _first(drafts[home], name):
        drafts[home][name] = values


def _rows(raw, prefix):
    try:
        total = int(_first(raw, f"{prefix}-TOTAL_FORMS") or 0)
    except ValueError:
        total = 0
    return [
        {k.split("-", 2)[2]: v for k, v in raw.items() if k.startswith(f"{prefix}-{i}-")}
        for i in range(total)
    ]


def _without_rows(raw, prefix):
    kept = {k: v for k, v in raw.items() if not k.startswith(f"{prefix}-")}
    return {**kept, f"{prefix}-TOTAL_FORMS": ["0"], f"{prefix}-INITIAL_FORMS": ["0"]}


def drafts_migrate(drafts):
    """The same drafts with each fact in one place (a pure function, tested)."""
    drafts = {section: dict(raw) for section, raw in (drafts or {}).items()}
    if "sales" in drafts:
        _move(drafts, "sales", "segment_name", "client:market_segment")
    if "compliance" in drafts:
        kyc = drafts["compliance"]
        for key, target in FROM_COMPLIANCE.items():
            _move(drafts, "compliance", key, target)
        for key in DROPPED:
            kyc.pop(key, None)
        sales_rows = _rows(drafts.get("sales", {}), "addresses")
        primary = [row for row in sales_rows if _first(row, "is_primary")] or sales_rows[:1]
        kyc_rows = _rows(kyc, "addresses")
        same = not kyc_rows or (
            len(kyc_rows) == 1
            and primary
            and all(_first(kyc_rows[0], k) == _first(primary[0], k) for k in ADDRESS_KEYS)
        )
        if same:
            drafts["compliance"] = kyc = _without_rows(kyc, "addresses")
        kyc["compliance_address"] = ["same" if same else "other"]
        identity = _first(drafts.get("client", {}), "identity_id").replace(".", "").upper()
        documents = _rows(kyc, "documents")
        kept = [
            row
            for row in documents
            if _first(row, "identity_id").replace(".", "").upper() != identity or not identity
        ]
        removed = [row for row in documents if row not in kept]
        if removed:
            if _first(removed[0], "issuing_authority"):
                kyc["identity_issuing_authority"] = removed[0]["issuing_authority"]
            without = _without_rows(kyc, "documents")
            without["documents-TOTAL_FORMS"] = [str(len(kept))]
            for index, row in enumerate(kept):
                for name, values in row.items():
                    without[f"documents-{index}-{name}"] = values
            drafts["compliance"] = without
    if "activation" in drafts:
        activation = drafts["activation"]
        _move(drafts, "activation", "preferred_contact_language", "client")
        login = _first(activation, "primary_email").lower()
        email = _first(drafts.get("client", {}), "preferred_email").lower()
        if not login or login == email:
            activation.pop("primary_email", None)
            activation["login_email"] = ["same"]
        else:
            activation["login_email"] = ["other"]
    return drafts


def forward(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    for case in Case.objects.all().iterator():
        migrated = drafts_migrate(case.drafts or {})
        if migrated != case.drafts:
            Case.objects.filter(pk=case.pk).update(drafts=migrated, version=case.version + 1)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_revisions_decisions_lifecycle")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
