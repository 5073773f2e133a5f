"""Which result-file URLs the batch client fetches: Azure Blob Storage over https, or the endpoint's own origin."""

from __future__ import annotations

import pytest

from transcriber.adapters.batch.http_pipeline import safe_content_url

ENDPOINT = "https://spch-example.cognitiveservices.azure.com/speechtotext"


@pytest.mark.parametrize(
    "url",
    [
        "https://spsvcprodeus.blob.core.windows.net/bestor-1/TranscriptionData/a.json?sv=1&sig=s",
        "https://x.blob.core.usgovcloudapi.net/c/a.json?sig=s",
        "https://spch-example.cognitiveservices.azure.com/files/a.json",  # the endpoint's own origin
    ],
)
def test_results_in_blob_storage_or_at_the_endpoint_are_fetched(url: str) -> None:
    assert safe_content_url(url, ENDPOINT)


@pytest.mark.parametrize(
    "url",
    [
        "https://storage.example.invalid/a.json",
        "https://x.blob.core.windows.net.evil.example/a.json",
        "https://evilblob.core.windows.net/a.json",
        "http://spsvcprodeus.blob.core.windows.net/a.json",  # not https
        "https://spch-example.cognitiveservices.azure.com:8443/a.json",  # another origin
    ],
)
def test_any_other_url_is_refused(url: str) -> None:
    assert not safe_content_url(url, ENDPOINT)
