"""Hypothesis strategies for the stored JSON records: documents shaped as the app's writers write them."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from transcriber.domain.blob_info import BlobInfo

texts = st.text(max_size=12)
timestamps = st.datetimes().map(lambda moment: moment.isoformat(timespec="milliseconds") + "Z")
blob_infos = st.builds(
    BlobInfo,
    container=texts,
    name=st.text(min_size=1, max_size=20),
    etag=texts,
    size=st.integers(min_value=0, max_value=2**40),
    content_type=st.none() | texts,
)


def ordered(strategies: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Documents with these keys in this order (a writer's order), each value drawn from its strategy."""
    return st.tuples(*strategies.values()).map(lambda values: dict(zip(strategies, values, strict=True)))


errors = ordered({"code": texts, "message": texts})


def subsets(document: dict[str, Any], required: tuple[str, ...] = ()) -> st.SearchStrategy[dict[str, Any]]:
    """`document` with any of its optional keys left out (as older writers or readers allow), in order."""
    optional = [key for key in document if key not in required]
    return st.sets(st.sampled_from(optional) if optional else st.nothing()).map(
        lambda left_out: {key: value for key, value in document.items() if key not in left_out}
    )
