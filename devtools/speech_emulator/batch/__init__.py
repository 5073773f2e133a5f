"""Batch transcription (`/speechtotext/transcriptions:submit` and friends) for the emulator.

Shaped on api-versions 2024-11-15 and 2025-10-15 of the Speech to text REST API: the spec and
examples in azure-rest-api-specs, Microsoft's batch transcription pages, the result-file schema
and samples in Azure-Samples/cognitive-services-speech-sdk, and live answers quoted in that
repository's issues. Each module's docstring names what it follows and what is inferred.
"""
