"""Property tests of the local host's conversions: any URL, header set or blob name survives."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from hypothesis import given
from hypothesis import strategies as st

from devtools.functions_host import routing
from devtools.functions_host.blob_trigger import BlobTriggerBinding
from devtools.functions_host.http_conversion import from_return_value, query_map, to_rpc_http
from devtools.functions_host.protocol import load_protos

PROTOS = load_protos()
BINDING = BlobTriggerBinding(
    "transcribe_blob", "id", "blob", "audio-in/{name}", "AudioStorage", "EventGrid", True
)
names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80)
pairs = st.lists(st.tuples(st.text(min_size=1, max_size=10), st.text(max_size=10)), max_size=8)


@given(names)
def test_blob_trigger_path_gives_any_blob_name_back_whole_as_the_name_parameter(name: str) -> None:
    assert BINDING.parameters(name) == {"name": name}


@given(pairs)
def test_query_map_joins_repeats_with_commas_and_drops_empty_values(query: list[tuple[str, str]]) -> None:
    url = "https://app.example/api/transcribe?" + urlencode(query)
    expected: dict[str, list[str]] = {}
    for name, value in query:
        expected.setdefault(name, []).append(value)
    assert query_map(url) == {k: ",".join(v) for k, v in expected.items() if any(v)}


@given(
    st.dictionaries(
        st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,15}", fullmatch=True), st.text(max_size=20), max_size=6
    ),
    st.binary(max_size=64),
)
def test_rpc_http_lower_cases_headers_and_carries_body_bytes_exactly(
    headers: dict[str, str], body: bytes
) -> None:
    typed = to_rpc_http(PROTOS, "post", "https://app.example/api/x", headers, body, {})
    http = typed.http
    lowered: dict[str, str] = {}
    for name, value in headers.items():
        if value != "":
            lowered[name.lower()] = value
    assert dict(http.headers) == lowered and http.method == "POST"
    assert (http.body.bytes if body else http.HasField("body")) == (body or False)
    assert PROTOS.TypedData.FromString(typed.SerializeToString()) == typed  # survives the wire


@given(st.integers(100, 599), st.binary(max_size=64), st.text(max_size=30))
def test_return_value_round_trips_status_body_and_content_type(
    status: int, body: bytes, content_type: str
) -> None:
    returned = PROTOS.TypedData(
        http=PROTOS.RpcHttp(
            status_code=str(status), headers={"Content-Type": content_type}, body=PROTOS.TypedData(bytes=body)
        )
    )
    assert from_return_value(returned) == (status, {"content-type": content_type}, body)


@given(names.filter(lambda s: "/" not in s))  # how ASP.NET treats an encoded slash is left alone
def test_route_with_a_parameter_matches_any_single_encoded_segment(segment: str) -> None:
    route = routing.HttpRoute.from_raw("api", "f", "id", {"route": "items/{item}", "methods": ["GET"]})
    found = routing.match([route], "GET", "https://app.example/api/items/" + quote(segment, safe=""))
    assert found is not None and found[1] == {"item": segment}
