"""Loading a list: a new version is built beside the one in use, and replaces it in one
transaction once complete. A load that fails leaves the current version in use and records
why on the failed one."""

import csv
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from followthemoney import model, registry
from followthemoney.proxy import EntityProxy
from rigour.territories import get_territory

from onboarding.screening.models import (
    ListEntity,
    ListVersion,
    NameKey,
    VersionState,
)
from onboarding.screening.names import name_keys, year_keys
from onboarding.screening.signals import list_switched
from onboarding.screening.sql import (
    changes_mark,
    changes_mark_all,
    copy_rows,
    key_counts_build,
    version_rows_delete,
)

logger = logging.getLogger(__name__)

BATCH = 2000
NAME_PROPERTIES = ("name", "alias", "previousName")
SIMPLE_COLUMNS = frozenset({"id", "schema", "name", "aliases", "birth_date", "countries"})
Progress = Callable[[int], None]


class ListLoadFailed(Exception):
    """The file could not be loaded; the version says why and the current one stays."""


@dataclass(frozen=True)
class _Row:
    entity_id: str
    schema: str
    caption: str
    names: list[str]
    birth_dates: list[str]
    countries: list[str]
    topics: list[str]
    source_url: str
    digest: str


def _alpha3(code: str) -> str | None:
    territory = get_territory(code)
    return territory.alpha3.upper() if territory is not None and territory.alpha3 else None


def _row(proxy: EntityProxy) -> _Row | None:
    """The screening view of an entity: people, and legal entities of no known kind, that
    have a name."""
    schema = proxy.schema
    if not schema.is_a("LegalEntity") or schema.is_a("Organization") or not proxy.id:
        return None
    names = list(dict.fromkeys(v for p in NAME_PROPERTIES for v in proxy.get(p, quiet=True)))
    if not names:
        return None
    countries = {_alpha3(code) for code in proxy.get_type_values(registry.country)}
    return _Row(
        entity_id=proxy.id,
        schema=schema.name,
        caption=proxy.caption[:500],
        names=names,
        birth_dates=sorted(set(proxy.get("birthDate", quiet=True))),
        countries=sorted(code for code in countries if code),
        topics=sorted(set(proxy.get("topics", quiet=True))),
        source_url=next(iter(proxy.get("sourceUrl", quiet=True)), "")[:2000],
        digest=proxy.checksum,
    )


def _ftm_proxies(path: Path, lines: list[int]) -> Iterator[EntityProxy]:
    with path.open(encoding="utf-8") as source:
        for number, line in enumerate(source, start=1):
            lines[0] = number
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                yield model.get_proxy(data, cleaned=False)
            except Exception as error:
                raise ListLoadFailed(f"line {number}: {error}") from error


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def _simple_proxies(path: Path, dataset: str, lines: list[int]) -> Iterator[EntityProxy]:
    """OpenSanctions' targets.simple.csv, each row made into a FollowTheMoney entity so that
    its values are cleaned as the JSON's are. The file has no topics: a row with sanctions
    is a sanction, and the rows of a dataset named for PEPs are PEPs."""
    csv.field_size_limit(16 * 1024 * 1024)
    with path.open(encoding="utf-8", newline="") as source:
        reader = csv.DictReader(source)
        missing = SIMPLE_COLUMNS - set(reader.fieldnames or ())
        if missing:
            raise ListLoadFailed(
                f"not a targets.simple.csv: no column {', '.join(sorted(missing))}"
            )
        pep = "pep" in dataset.lower()
        for number, record in enumerate(reader, start=2):
            lines[0] = number
            try:
                proxy = model.make_entity(record["schema"])
                proxy.id = record["id"]
                proxy.add("name", record["name"], quiet=True)
                proxy.add("alias", _split(record["aliases"]), quiet=True)
                proxy.add("birthDate", _split(record["birth_date"]), quiet=True)
                proxy.add("country", _split(record["countries"]), quiet=True)
                topics = (["sanction"] if record.get("sanctions") else []) + (
                    ["role.pep"] if pep else []
                )
                proxy.add("topics", topics, quiet=True)
            except Exception as error:
                raise ListLoadFailed(f"line {number}: {error}") from error
            yield proxy


def _is_simple_csv(path: Path) -> bool:
    """JSON lines start with an object; anything else is read as the CSV it must be."""
    with path.open(encoding="utf-8", errors="replace") as source:
        return not source.read(64).lstrip().startswith("{")


def _write(version: ListVersion, start: int, rows: list[_Row]) -> None:
    entities = [
        (
            version.pk,
            start + i,
            row.entity_id,
            row.schema,
            row.caption,
            json.dumps(row.names, ensure_ascii=False),
            json.dumps(row.birth_dates),
            json.dumps(row.countries),
            json.dumps(row.topics),
            row.source_url,
            row.digest,
            # Against a base, `changes_mark` marks what changed once every row is in.
            version.base_id is None,
        )
        for i, row in enumerate(rows)
    ]
    keys = [
        (version.pk, key, start + i)
        for i, row in enumerate(rows)
        for key in name_keys(row.names) | year_keys(row.birth_dates)
    ]
    if connection.vendor == "postgresql":
        copy_rows(ListEntity, ENTITY_COLUMNS, entities)
        copy_rows(NameKey, ("version_id", "key", "ordinal"), keys)
        return
    ListEntity.objects.bulk_create(
        ListEntity(
            version=version,
            ordinal=ordinal,
            entity_id=row.entity_id,
            schema=row.schema,
            caption=row.caption,
            names=row.names,
            birth_dates=row.birth_dates,
            countries=row.countries,
            topics=row.topics,
            source_url=row.source_url,
            digest=row.digest,
            changed=version.base_id is None,
        )
        for ordinal, row in enumerate(rows, start=start)
    )
    NameKey.objects.bulk_create(
        (NameKey(version=version, key=key, ordinal=ordinal) for _v, key, ordinal in keys),
        batch_size=BATCH,
    )


ENTITY_COLUMNS = (
    "version_id",
    "ordinal",
    "entity_id",
    "schema",
    "caption",
    "names",
    "birth_dates",
    "countries",
    "topics",
    "source_url",
    "digest",
    "changed",
)


def screening_version_start(*, dataset: str, source_name: str = "") -> ListVersion:
    """A version to load into, numbered after the dataset's last, based on the one in use."""
    with transaction.atomic():
        # One number at a time per dataset: a second load waits here for the first's number.
        list(ListVersion.objects.select_for_update().filter(dataset=dataset).values("pk"))
        last = ListVersion.objects.filter(dataset=dataset).aggregate(last=Max("number"))["last"]
        return ListVersion.objects.create(
            dataset=dataset,
            number=(last or 0) + 1,
            source_name=source_name[:255],
            base=ListVersion.objects.filter(dataset=dataset, is_current=True).first(),
        )


def _switch(version: ListVersion) -> ListVersion | None:
    with transaction.atomic():
        previous = (
            ListVersion.objects.select_for_update()
            .filter(dataset=version.dataset, is_current=True)
            .first()
        )
        if (previous.pk if previous is not None else None) != version.base_id:
            # Another load switched first: the changes were measured against a version no
            # longer in use, so every entity counts as changed.
            version.changed_count = changes_mark_all(version.pk)
            version.base = None
        if previous is not None:
            previous.is_current = False
            previous.state = VersionState.REPLACED
            previous.save(update_fields=["is_current", "state"])
        version.is_current = True
        version.state = VersionState.READY
        version.finished_at = timezone.now()
        version.save(
            update_fields=[
                "is_current",
                "state",
                "finished_at",
                "entity_count",
                "lines_read",
                "base",
                "changed_count",
            ]
        )
        transaction.on_commit(lambda: list_switched.send(sender=ListVersion, version=version))
    return previous


def screening_list_load(
    *,
    path: Path,
    dataset: str,
    progress: Progress | None = None,
    version: ListVersion | None = None,
) -> ListVersion:
    """Loads a FollowTheMoney JSON-lines file or a targets.simple.csv into a new version of
    `dataset` and makes it current. `progress` hears the number of lines read after each
    batch. Raises ListLoadFailed, the version marked failed, if the file cannot be loaded."""
    path = Path(path)
    version = version or screening_version_start(dataset=dataset, source_name=path.name)
    lines = [0]
    count = 0
    try:
        proxies = (
            _simple_proxies(path, dataset, lines)
            if _is_simple_csv(path)
            else _ftm_proxies(path, lines)
        )
        batch: list[_Row] = []
        for proxy in proxies:
            row = _row(proxy)
            if row is None:
                continue
            batch.append(row)
            if len(batch) >= BATCH:
                count = _flush(version, count, batch, lines[0], progress)
        count = _flush(version, count, batch, lines[0], progress)
        if count == 0:
            raise ListLoadFailed("the file holds no person with a name")
        key_counts_build(version.pk)
        version.changed_count = (
            count if version.base_id is None else changes_mark(version.pk, version.base_id)
        )
        version.entity_count = count
        version.lines_read = lines[0]
    except Exception as error:
        message = (
            str(error) if isinstance(error, ListLoadFailed) else f"{type(error).__name__}: {error}"
        )
        logger.warning("screening list %s v%s failed: %s", dataset, version.number, message)
        version_rows_delete(version.pk)
        ListVersion.objects.filter(pk=version.pk).update(
            state=VersionState.FAILED, error=message[:2000], finished_at=timezone.now()
        )
        version.refresh_from_db()
        if isinstance(error, ListLoadFailed):
            raise
        raise ListLoadFailed(message) from error
    previous = _switch(version)
    if previous is not None:
        version_rows_delete(previous.pk)
    return version


def _flush(
    version: ListVersion, count: int, batch: list[_Row], lines: int, progress: Progress | None
) -> int:
    if batch:
        with transaction.atomic():
            _write(version, count + 1, batch)
        count += len(batch)
        batch.clear()
    ListVersion.objects.filter(pk=version.pk).update(lines_read=lines, entity_count=count)
    if progress is not None:
        progress(lines)
    return count
