"""A blob version transcribed by batch: handed over with its claim, looked at, finished.

The steps run from the jobs queue in `transcriber.flows.batch_steps`, above the blob flow.
"""
