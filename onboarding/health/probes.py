import time

from onboarding.accounts.models import Tenant
from onboarding.altafid.client import client_for_tenant
from onboarding.altafid.errors import AltafidError
from onboarding.altafid.lookups import stages_fetch
from onboarding.health.services import probe_record


def altafid_probe(*, tenant: Tenant) -> bool:
    """Times one small read for the tenant (its pipeline stages) and keeps the outcome."""
    started = time.perf_counter()
    try:
        stages_fetch(client_for_tenant(tenant.altafid_uuid))
    except AltafidError as error:
        probe_record(tenant_uuid=tenant.altafid_uuid, ok=False, latency_ms=None, error=str(error))
        return False
    latency = (time.perf_counter() - started) * 1000
    probe_record(tenant_uuid=tenant.altafid_uuid, ok=True, latency_ms=round(latency, 1), error="")
    return True


def altafid_probe_all() -> int:
    """Probes every tenant; returns how many answered."""
    return sum(altafid_probe(tenant=tenant) for tenant in Tenant.objects.all())
