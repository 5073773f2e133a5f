"""Azure AI Speech batch transcription's REST API (2024-11-15), on azure-core's async pipeline.

`client.BatchClient` submits, looks, lists files and deletes; `submission` maps options to the
request; `results.to_fast_shape` turns a result file into the fast-transcription JSON.
"""
