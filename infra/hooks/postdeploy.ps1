# Subscribes the blob trigger to BlobCreated events of the audio container (Event Grid).
# The PowerShell twin of postdeploy.sh (azd runs it on Windows); see that file for why this
# runs after the code is deployed rather than from infra/main.bicep.
$ErrorActionPreference = 'Stop'

if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
    Write-Error "The Azure CLI (az) is required; install it and run 'az login'"
}

# Run by hand outside azd: take the values from the current azd environment if there is one.
if (-not $env:AZURE_FUNCTION_APP_NAME -and (Get-Command azd -ErrorAction SilentlyContinue)) {
    foreach ($line in (& azd env get-values)) {
        if ($line -match '^([^=]+)=(.*)$') {
            [Environment]::SetEnvironmentVariable($matches[1], ($matches[2] -replace '^"|"$'))
        }
    }
}

foreach ($name in 'AZURE_RESOURCE_GROUP', 'AZURE_FUNCTION_APP_NAME', 'AZURE_EVENTGRID_SYSTEM_TOPIC_NAME') {
    if (-not [Environment]::GetEnvironmentVariable($name)) {
        Write-Error "Set $name (an output of infra/main.bicep)"
    }
}
$resourceGroup = $env:AZURE_RESOURCE_GROUP
$app = $env:AZURE_FUNCTION_APP_NAME
$topic = $env:AZURE_EVENTGRID_SYSTEM_TOPIC_NAME
$container = if ($env:AUDIO_CONTAINER) { $env:AUDIO_CONTAINER } else { 'audio-in' }
$functionName = if ($env:AZURE_BLOB_TRIGGER_FUNCTION_NAME) { $env:AZURE_BLOB_TRIGGER_FUNCTION_NAME } else { 'transcribe_blob' }
$subscription = if ($env:AZURE_EVENTGRID_SUBSCRIPTION_NAME) { $env:AZURE_EVENTGRID_SUBSCRIPTION_NAME } else { 'evgs-transcribe-blob' }
$attempts = if ($env:KEY_WAIT_ATTEMPTS) { [int]$env:KEY_WAIT_ATTEMPTS } else { 30 }

$hostname = $env:AZURE_FUNCTION_APP_HOSTNAME
if (-not $hostname) {
    $hostname = az functionapp show --resource-group $resourceGroup --name $app --query defaultHostName --output tsv
}

# The host writes the key when it starts with the blob trigger loaded; a request to the
# anonymous health function starts an instance if the app has scaled to zero.
Write-Host "Waiting for the blobs_extension system key of $app..."
$key = ''
for ($attempt = 1; ; $attempt++) {
    try { Invoke-WebRequest -Uri "https://$hostname/api/health" -TimeoutSec 30 -UseBasicParsing | Out-Null } catch { }
    $key = az functionapp keys list --resource-group $resourceGroup --name $app --query 'systemKeys.blobs_extension' --output tsv 2>$null
    if ($key) { break }
    if ($attempt -ge $attempts) {
        Write-Error "$app has no blobs_extension key yet. Check that the code is deployed and that function '$functionName' is listed: az functionapp function list -g $resourceGroup -n $app"
    }
    Start-Sleep -Seconds 10
}

# Never printed: the URL carries the system key.
$endpoint = "https://$hostname/runtime/webhooks/blobs?functionName=Host.Functions.$functionName&code=$key"
if ($IsWindows -or $env:OS -eq 'Windows_NT') {
    # az is a .cmd script on Windows: without the extra quotes cmd.exe splits the URL at '&'.
    $endpoint = '"' + $endpoint + '"'
}
$subject = "/blobServices/default/containers/$container/blobs/"

Write-Host "Subscribing $functionName to BlobCreated events under $subject..."
for ($attempt = 1; ; $attempt++) {
    az eventgrid system-topic event-subscription create `
        --name $subscription `
        --resource-group $resourceGroup `
        --system-topic-name $topic `
        --endpoint-type webhook `
        --endpoint $endpoint `
        --included-event-types Microsoft.Storage.BlobCreated `
        --subject-begins-with $subject `
        --output none
    if ($LASTEXITCODE -eq 0) { break }
    if ($attempt -ge 3) { Write-Error "Could not create Event Grid subscription $subscription" }
    Write-Host 'Endpoint validation failed (cold start?); retrying in 20 s...'
    Start-Sleep -Seconds 20
}
Write-Host "Event Grid subscription $subscription delivers new blobs in '$container' to $functionName."
