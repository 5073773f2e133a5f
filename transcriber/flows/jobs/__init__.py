"""Transcription jobs (`/api/transcriptions`): accepted (`intake`), recorded (`records`), ended
(`outcome`), announced (`completions`). They run from the jobs queue (`transcriber.flows.job_run`)."""
