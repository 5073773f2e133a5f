"""Batch transcription: audio past fast transcription's limits (size or length), same outputs.

`client.BatchClient` speaks Azure AI Speech's batch REST API (submit, status, result files,
delete) on azure-core's async pipeline; `results.to_fast_shape` turns a batch result file into
the fast-transcription JSON the rest of the app writes and renders. `routing` decides which
blobs go this way; `handover` queues the blob version's job and hands it the version's claim;
`schedule` says when the job looks again; `steps` (one queue message each, `job`) submits and
looks, `finish` writes the outcome through the blob pipeline's own code and cleans up.
"""
