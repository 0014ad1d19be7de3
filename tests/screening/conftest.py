import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from onboarding.screening.loading import screening_list_load
from onboarding.screening.models import ListVersion


def ftm_write(path: Path, entities: Iterable[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8") as target:
        for entity in entities:
            target.write(json.dumps(entity, ensure_ascii=False) + "\n")
    return path


def person(entity_id: str, name: str, **properties: Any) -> dict[str, Any]:
    values = {"name": [name]}
    values.update(
        {key: value if isinstance(value, list) else [value] for key, value in properties.items()}
    )
    return {"id": entity_id, "schema": "Person", "properties": values}


@pytest.fixture
def list_load(tmp_path) -> Callable[..., ListVersion]:
    """Loads entities as a new version of a dataset, through a FollowTheMoney file."""
    made = iter(range(1_000_000))

    def load(entities: Iterable[dict[str, Any]], dataset: str = "sanctions") -> ListVersion:
        path = ftm_write(tmp_path / f"{dataset}-{next(made)}.ftm.json", entities)
        return screening_list_load(path=path, dataset=dataset)

    return load
