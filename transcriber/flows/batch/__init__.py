"""A blob version transcribed by batch: handed over with its claim, looked at, finished.

`handover` queues the version's batch job and hands it the claim; `job` is one step's state;
`schedule` says when the job looks again; `finish` writes the outcome as the blob flow would.
The steps themselves run from the jobs queue (`transcriber.flows.batch_steps`); the REST client
is `transcriber.adapters.batch`, the choice of route `transcriber.flows.routing`.
"""
