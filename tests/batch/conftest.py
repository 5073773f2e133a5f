"""Fixtures of the batch route's end-to-end tests: the deployed app, a fresh jobs queue, a storage
spy. The batch client's own fixtures (the strict fake service) are the plugin
tests/fixtures/batch_service.py."""

from tests.app.conftest import deployed, storage  # noqa: F401 - fixtures of the e2e tests
from tests.app.jobs_queue import jobs  # noqa: F401 - a fixture
from tests.batch.batch_app import storage_spy  # noqa: F401 - a fixture
