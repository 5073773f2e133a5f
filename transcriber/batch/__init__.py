"""Batch transcription: audio past fast transcription's limits (size or length), same outputs.

`client.BatchClient` speaks Azure AI Speech's batch REST API (submit, status, result files,
delete) on azure-core's async pipeline; `results.to_fast_shape` turns a batch result file into
the fast-transcription JSON the rest of the app writes and renders. Routing and the job that
submits and polls live beside them.
"""
