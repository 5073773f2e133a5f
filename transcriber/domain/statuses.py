"""One vocabulary of statuses: a job's (the jobs API, job records) and a blob version's (`status NAME`).

    queued     accepted, waiting for a worker (a job's message, a version no worker holds yet)
    running    a worker or a batch job holds it; a transient failure it is retrying keeps it here
    deferred   Speech was busy: back at a known time, no attempt spent
    succeeded  its transcript set is written
    failed     its failure record is final

`python -m transcriber status` adds `not-found` for a name with no blob: nothing to have a status.
"""

from __future__ import annotations

QUEUED, RUNNING, DEFERRED, SUCCEEDED, FAILED = "queued", "running", "deferred", "succeeded", "failed"
FINISHED = (SUCCEEDED, FAILED)
STATUSES = (QUEUED, RUNNING, DEFERRED, SUCCEEDED, FAILED)
