"""What the pages show of the lists, and starting a load from an uploaded file."""

import datetime
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onboarding.screening.loading import screening_version_start
from onboarding.screening.models import ListVersion, VersionState

logger = logging.getLogger(__name__)


# Seconds past the load task's hard limit before its version counts as lost.
STALLED_GRACE = 300
LOST_WORKER = "The load stopped before it finished: its worker was lost. Load the file again."


@dataclass(frozen=True)
class ListAge:
    dataset: str
    number: int
    entity_count: int
    loaded_at: datetime.datetime
    age_days: float
    stale: bool


def screening_upload_path(version: ListVersion) -> Path:
    """Where an uploaded file waits for its load (the name carries no part of the upload's)."""
    return Path(settings.DATA_DIR) / "screening" / f"version-{version.pk}.upload"


def screening_lists_ages(*, now: datetime.datetime | None = None) -> list[ListAge]:
    """Each dataset's version in use, and whether it is older than SCREENING_LIST_MAX_AGE_DAYS."""
    now = now or timezone.now()
    limit = datetime.timedelta(days=settings.SCREENING_LIST_MAX_AGE_DAYS)
    ages = []
    for version in ListVersion.objects.filter(is_current=True).order_by("dataset"):
        loaded = version.finished_at or version.started_at
        ages.append(
            ListAge(
                dataset=version.dataset,
                number=version.number,
                entity_count=version.entity_count,
                loaded_at=loaded,
                age_days=(now - loaded).total_seconds() / 86400,
                stale=now - loaded > limit,
            )
        )
    return ages


def screening_loads_stalled_fail(*, now: datetime.datetime | None = None) -> int:
    """Marks failed, and empties, the loads still loading past the task's time limit: their
    worker was lost (a load that fails otherwise records why itself). Returns how many."""
    from onboarding.screening.sql import version_rows_delete

    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.SCREENING_LOAD_TIME_LIMIT + STALLED_GRACE)
    stalled = ListVersion.objects.filter(state=VersionState.LOADING, started_at__lt=cutoff)
    count = 0
    for version in stalled:
        with transaction.atomic():
            version_rows_delete(version.pk)
            count += ListVersion.objects.filter(pk=version.pk, state=VersionState.LOADING).update(
                state=VersionState.FAILED, error=LOST_WORKER, finished_at=now
            )
        screening_upload_path(version).unlink(missing_ok=True)
        logger.warning("screening list %s v%s: load lost", version.dataset, version.number)
    return count


def screening_loads_failed_last() -> list[ListVersion]:
    """Per dataset, its latest load when that one failed: the health page says so until a
    later load succeeds."""
    loaded = ListVersion.objects.exclude(state=VersionState.LOADING)
    datasets = loaded.order_by("dataset").values_list("dataset", flat=True).distinct()
    latest = (loaded.filter(dataset=dataset).order_by("-number").first() for dataset in datasets)
    return [version for version in latest if version and version.state == VersionState.FAILED]


def screening_versions_recent(*, limit: int = 20) -> list[ListVersion]:
    return list(ListVersion.objects.order_by("-started_at", "-pk")[:limit])


def screening_load_start(*, dataset: str, upload: Path, source_name: str) -> ListVersion:
    """A new version of `dataset` to be loaded from the file at `upload` (moved beside the
    data) by a worker."""
    from onboarding.screening.tasks import load_list

    version = screening_version_start(dataset=dataset, source_name=source_name)
    target = screening_upload_path(version)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(upload), target)
    logger.info("screening list %s v%s: load queued", dataset, version.number)
    transaction.on_commit(lambda: load_list.delay(version_id=version.pk))
    return version


def screening_load_run(*, version_id: int) -> None:
    """The worker's side: loads the uploaded file into its version, then removes the file.
    A version no longer loading (run twice) is left as it is."""
    from onboarding.screening.loading import ListLoadFailed, screening_list_load

    version = ListVersion.objects.get(pk=version_id)
    path = screening_upload_path(version)
    if version.state != VersionState.LOADING:
        return
    try:
        screening_list_load(path=path, dataset=version.dataset, version=version)
    except ListLoadFailed:
        pass  # recorded on the version, which the page shows
    finally:
        path.unlink(missing_ok=True)
