"""The app's options as a batch submission body (REST 2024-11-15), property-tested over valid options."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from transcriber.adapters.batch.submission import (
    CHANNELS_PROPERTY,
    batch_definition,
    check_batch_options,
    requested_channels,
)
from transcriber.domain.errors import UnsupportedBatchOptionError
from transcriber.domain.options import OptionError, TranscriptionRequestOptions

URL = "https://account.blob.core.windows.net/audio-in/a.wav?sv=2024&sp=r&sig=S"
_locales = st.lists(st.sampled_from(["en-US", "de-DE", "fr-FR", "es-ES", "ja-JP", "pt-BR"]), min_size=1, max_size=6, unique=True)  # fmt: skip


@st.composite
def _options(draw: st.DrawFn) -> TranscriptionRequestOptions:
    """Valid options batch has: diarization only with at most one channel, as the fast API allows."""
    speakers = draw(st.one_of(st.none(), st.integers(min_value=2, max_value=35)))
    channels = draw(st.sampled_from([None, [0], [1]] if speakers else [None, [0], [1], [0, 1]]))
    return TranscriptionRequestOptions.parse(
        locales=draw(_locales),
        diarization=speakers,
        channels=channels,
        profanity=draw(st.one_of(st.none(), st.sampled_from(["None", "Removed", "Tags", "Masked"]))),
    )


@given(_options(), st.text(min_size=0, max_size=300))
def test_every_option_batch_has_is_sent_and_word_timings_always(
    options: TranscriptionRequestOptions, name: str
) -> None:
    body = batch_definition(URL, options, name)
    properties = body["properties"]
    assert body["contentUrls"] == [URL] and body["locale"] == options.locales[0]
    assert 1 <= len(body["displayName"]) <= 256
    assert properties["wordLevelTimestampsEnabled"] and properties["displayFormWordLevelTimestampsEnabled"]
    assert 6 <= properties["timeToLiveHours"] <= 31 * 24  # the reference's bounds
    assert properties.get("profanityFilterMode") == options.profanity
    assert properties.get("channels") == (list(options.channels) if options.channels else None)
    expected_diarization = (
        {"enabled": True, "maxSpeakers": options.max_speakers} if options.max_speakers else None
    )
    assert properties.get("diarization") == expected_diarization
    identification = properties.get("languageIdentification")
    if len(options.locales) > 1:
        assert identification == {"candidateLocales": list(options.locales), "mode": "Continuous"}
    else:
        assert identification is None
    assert requested_channels(body) == (options.channels or None)


def test_diarization_with_two_channels_is_refused_before_any_submission() -> None:
    try:
        TranscriptionRequestOptions.parse(locales=["en-US"], diarization=2, channels=[0, 1])
    except OptionError as exc:
        assert exc.option == "diarization"
    else:
        raise AssertionError("expected OptionError")


@given(
    st.sampled_from(
        [
            ({"phrases": ["Contoso"]}, "phrases"),
            ({"phrases": ["Contoso"], "biasing_weight": 2.0}, "phrases"),
            ({"task": "transcribe"}, "task"),
            ({"task": "translate", "target_language": "de"}, "task"),
            ({"task": "transcribe", "prompt": ["legal"]}, "task"),
            ({"model": "MAI-Transcribe-1"}, "model"),
        ]
    )
)
def test_options_batch_lacks_name_themselves(case: tuple[dict[str, object], str]) -> None:
    fields, option = case
    options = TranscriptionRequestOptions.parse(locales=["en-US"], **fields)  # type: ignore[arg-type]
    try:
        check_batch_options(options)
    except UnsupportedBatchOptionError as exc:
        assert exc.option == option and exc.code == "OptionNotAvailableInBatch"
        assert "batch transcription" in exc.message
    else:
        raise AssertionError("expected UnsupportedBatchOptionError")


def test_enhanced_mode_off_is_not_an_enhanced_option() -> None:
    check_batch_options(TranscriptionRequestOptions.parse(locales=["en-US"], task="off"))


def test_channels_asked_for_survive_the_service_echo() -> None:
    assert (
        requested_channels(
            {"customProperties": {CHANNELS_PROPERTY: "mixed"}, "properties": {"channels": [0, 1]}}
        )
        is None
    )
    assert requested_channels({"customProperties": {CHANNELS_PROPERTY: "1"}}) == (1,)
    assert requested_channels({"properties": {"channels": [0, 1]}}) == (0, 1)  # not ours: the echo
    assert requested_channels({}) is None
