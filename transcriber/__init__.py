"""Transcription core: everything the Function App does, with no dependency on azure.functions."""
