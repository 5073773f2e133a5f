"""The locales the emulated service accepts, and how it picks one for a response.

The list is Azure AI Speech's speech-to-text locale list (Microsoft's "Language and voice support"
page); fast transcription's own subset is not published separately, so a locale on this list is
accepted even where the live service might refuse it (see README, "Emulator fidelity"). The
recordings show `fr-FR`, `es-ES`, `en-US` and `ko-KR` (a translation's answer) in use. One engine
(pocketsphinx, US English) transcribes every locale, as the emulator's docs say: the text is
English whatever locale is reported.
"""

from __future__ import annotations

__all__ = ["ENGINE_LOCALE", "SUPPORTED_LOCALES", "canonical_locale", "identify_locale", "target_locale"]

ENGINE_LOCALE = "en-US"

_LOCALES = """
af-ZA am-ET ar-AE ar-BH ar-DZ ar-EG ar-IL ar-IQ ar-JO ar-KW ar-LB ar-LY ar-MA ar-OM ar-PS ar-QA
ar-SA ar-SY ar-TN ar-YE as-IN az-AZ bg-BG bn-IN bs-BA ca-ES cs-CZ cy-GB da-DK de-AT de-CH de-DE
el-GR en-AU en-CA en-GB en-GH en-HK en-IE en-IN en-KE en-NG en-NZ en-PH en-SG en-TZ en-US en-ZA
es-AR es-BO es-CL es-CO es-CR es-CU es-DO es-EC es-ES es-GQ es-GT es-HN es-MX es-NI es-PA es-PE
es-PR es-PY es-SV es-US es-UY es-VE et-EE eu-ES fa-IR fi-FI fil-PH fr-BE fr-CA fr-CH fr-FR ga-IE
gl-ES gu-IN he-IL hi-IN hr-HR hu-HU hy-AM id-ID is-IS it-CH it-IT ja-JP jv-ID ka-GE kk-KZ km-KH
kn-IN ko-KR lo-LA lt-LT lv-LV mk-MK ml-IN mn-MN mr-IN ms-MY mt-MT my-MM nb-NO ne-NP nl-BE nl-NL
or-IN pa-IN pl-PL ps-AF pt-BR pt-PT ro-RO ru-RU si-LK sk-SK sl-SI so-SO sq-AL sr-RS sv-SE sw-KE
sw-TZ ta-IN te-IN th-TH tr-TR uk-UA ur-IN uz-UZ vi-VN wuu-CN yue-CN zh-CN zh-HK zh-TW zu-ZA
"""
SUPPORTED_LOCALES: tuple[str, ...] = tuple(_LOCALES.split())
_BY_KEY = {locale.lower(): locale for locale in SUPPORTED_LOCALES}
# A translation names a language ("ko"); the answer carries a locale ("ko-KR", as recorded).
_DEFAULT_REGION = {"en": "en-US", "es": "es-ES", "fr": "fr-FR", "de": "de-DE", "pt": "pt-BR", "zh": "zh-CN",
                   "ar": "ar-SA", "sw": "sw-KE", "nl": "nl-NL", "it": "it-IT", "sv": "sv-SE"}  # fmt: skip


def canonical_locale(name: str) -> str | None:
    """The locale as the service spells it, or None when it is not supported."""
    return _BY_KEY.get(name.strip().lower())


def identify_locale(candidates: tuple[str, ...]) -> str:
    """What "language identification" answers: the engine's language when it is a candidate.

    With no candidates the service identifies the language itself; ours only knows English.
    """
    if not candidates:
        return ENGINE_LOCALE
    for locale in candidates:
        if locale.startswith("en-"):
            return locale
    return candidates[0]


def target_locale(language: str) -> str | None:
    """The locale a translation into `language` ("ko", "es-MX") is reported in; None if unknown."""
    exact = canonical_locale(language)
    if exact is not None:
        return exact
    code = language.strip().lower()
    if code in _DEFAULT_REGION:
        return _DEFAULT_REGION[code]
    regional = [locale for locale in SUPPORTED_LOCALES if locale.lower().split("-")[0] == code]
    return regional[0] if regional else None
