#!/bin/sh
# Subscribes the blob trigger to BlobCreated events of the audio container (Event Grid).
#
# Runs after the code is deployed: azd runs it as the postdeploy hook; after
# `func azure functionapp publish` run it by hand. It cannot be part of infra/main.bicep: the
# webhook URL carries the `blobs_extension` system key, which the Functions host creates only
# once it has loaded the blob trigger, and Event Grid validates the endpoint (the blob
# extension answers the handshake) when the subscription is created. Re-running it updates
# the subscription in place.
#
# Reads (azd passes infra/main.bicep's outputs; otherwise export them or have azd installed):
#   AZURE_RESOURCE_GROUP, AZURE_FUNCTION_APP_NAME, AZURE_EVENTGRID_SYSTEM_TOPIC_NAME
#   optional: AUDIO_CONTAINER (audio-in), AZURE_BLOB_TRIGGER_FUNCTION_NAME (transcribe_blob),
#             AZURE_EVENTGRID_SUBSCRIPTION_NAME (evgs-transcribe-blob),
#             AZURE_FUNCTION_APP_HOSTNAME (looked up when unset), KEY_WAIT_ATTEMPTS (30)
set -eu

if ! command -v az >/dev/null 2>&1; then
  echo "error: the Azure CLI (az) is required; install it and run 'az login'" >&2
  exit 1
fi

# Run by hand outside azd: take the values from the current azd environment if there is one.
if [ -z "${AZURE_FUNCTION_APP_NAME:-}" ] && command -v azd >/dev/null 2>&1; then
  set -a
  eval "$(azd env get-values)"
  set +a
fi

: "${AZURE_RESOURCE_GROUP:?set AZURE_RESOURCE_GROUP (an output of infra/main.bicep)}"
: "${AZURE_FUNCTION_APP_NAME:?set AZURE_FUNCTION_APP_NAME (an output of infra/main.bicep)}"
: "${AZURE_EVENTGRID_SYSTEM_TOPIC_NAME:?set AZURE_EVENTGRID_SYSTEM_TOPIC_NAME (an output of infra/main.bicep)}"
resource_group="$AZURE_RESOURCE_GROUP"
app="$AZURE_FUNCTION_APP_NAME"
topic="$AZURE_EVENTGRID_SYSTEM_TOPIC_NAME"
container="${AUDIO_CONTAINER:-audio-in}"
function_name="${AZURE_BLOB_TRIGGER_FUNCTION_NAME:-transcribe_blob}"
subscription="${AZURE_EVENTGRID_SUBSCRIPTION_NAME:-evgs-transcribe-blob}"
attempts="${KEY_WAIT_ATTEMPTS:-30}"

hostname="${AZURE_FUNCTION_APP_HOSTNAME:-}"
if [ -z "$hostname" ]; then
  hostname=$(az functionapp show --resource-group "$resource_group" --name "$app" \
    --query defaultHostName --output tsv)
fi

# The host writes the key when it starts with the blob trigger loaded; a request to the
# anonymous health function starts an instance if the app has scaled to zero.
echo "Waiting for the blobs_extension system key of $app..."
key=""
attempt=0
while :; do
  attempt=$((attempt + 1))
  if command -v curl >/dev/null 2>&1; then
    curl --silent --output /dev/null --max-time 30 "https://$hostname/api/health" || true
  fi
  key=$(az functionapp keys list --resource-group "$resource_group" --name "$app" \
    --query "systemKeys.blobs_extension" --output tsv 2>/dev/null || true)
  [ -n "$key" ] && break
  if [ "$attempt" -ge "$attempts" ]; then
    echo "error: $app has no blobs_extension key yet. Check that the code is deployed and that" >&2
    echo "       function '$function_name' is listed: az functionapp function list -g $resource_group -n $app" >&2
    exit 1
  fi
  sleep 10
done

# Never printed: the URL carries the system key.
endpoint="https://$hostname/runtime/webhooks/blobs?functionName=Host.Functions.$function_name&code=$key"
subject="/blobServices/default/containers/$container/blobs/"

echo "Subscribing $function_name to BlobCreated events under $subject..."
attempt=0
until az eventgrid system-topic event-subscription create \
  --name "$subscription" \
  --resource-group "$resource_group" \
  --system-topic-name "$topic" \
  --endpoint-type webhook \
  --endpoint "$endpoint" \
  --included-event-types Microsoft.Storage.BlobCreated \
  --subject-begins-with "$subject" \
  --output none; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 3 ]; then
    echo "error: could not create Event Grid subscription $subscription" >&2
    exit 1
  fi
  echo "Endpoint validation failed (cold start?); retrying in 20 s..."
  sleep 20
done
echo "Event Grid subscription $subscription delivers new blobs in '$container' to $function_name."
