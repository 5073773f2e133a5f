// Everything the transcriber needs in Azure, identity-based end to end (no keys anywhere):
// a Flex Consumption Function App, a data storage account for audio and transcripts and a
// separate host storage account for the Functions host and the deployment package, Azure AI
// Speech, Application Insights, a Key Vault for the app's two keys, least-privilege role
// assignments, the Event Grid system topic
// (blob trigger; BlobDeleted -> erasure), diagnostic settings and, with vnetEnabled (the
// default, as in Microsoft's Event Grid blob quickstart), a VNet with private endpoints. Deploy with `azd up`, or with
// `az deployment sub create --location <region> --template-file infra/main.bicep --parameters environmentName=<name> location=<region>`
// followed by `func azure functionapp publish <app> --python` and infra/hooks/postdeploy.sh.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the environment; it seeds the unique suffix of every resource name.')
param environmentName string

@minLength(1)
@description('Primary location for all resources.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Region for the Speech resource when fast transcription is not offered in `location`; empty for `location`.')
param speechLocation string = ''

@description('Object id of the deploying user or service principal (azd passes AZURE_PRINCIPAL_ID); it gets data access only with deployerDataAccess.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
param principalType string = 'User'

@description('Grant the deployer upload access to the audio container, read access to transcripts and Speech User (testing). Off: no standing access to personal data.')
param deployerDataAccess bool = false

@description('Also give the app Storage Account Contributor on the host account (Microsoft lists it for blob triggers; the Event Grid trigger does not call what needs it). Only if the host logs 403 AuthorizationPermissionMismatch on SetBlobServiceProperties.')
param hostAccountContributor bool = false

@description('Private networking: VNet integration, private endpoints for storage and Speech, storage and Speech firewalls closed.')
param vnetEnabled bool = true

@description('With vnetEnabled: public IPv4 addresses or CIDR ranges allowed through the data account\'s firewall (e.g. an upload client).')
param allowedIpAddresses array = []

@description('The page sends large files straight to the data account (a CORS rule for the app\'s origin); off by default with vnetEnabled, where the firewall keeps browsers out unless allowedIpAddresses lets them in.')
param pageDirectUploads bool = !vnetEnabled

@description('Origins besides the app\'s default host name (e.g. a custom domain) whose page may upload straight to storage.')
param pageOrigins array = []

@description('The App Service default domain of this cloud (azurewebsites.net in Azure\'s public cloud).')
param appServiceDomain string = 'azurewebsites.net'

@description('Require Entra ID sign-in for POST /api/transcribe (App Service authentication) instead of a function key.')
param authEnabled bool = false

@description('With authEnabled: application (client) id of the app registration that represents this API.')
param authClientId string = ''

@description('With authEnabled: tenant id of that app registration; empty for this deployment\'s tenant.')
param authTenantId string = ''

@description('With authEnabled: the app role (value) a caller\'s token must carry to transcribe.')
param transcribeAppRole string = 'Transcribe.Invoke'

@description('With authEnabled: the app role (value) whose holders see every caller\'s jobs and blobs; empty for none.')
param transcribeAdminRole string = 'Transcribe.Admin'

@description('Days after which audio, transcripts and failure records are deleted (lifecycle policy); 0 keeps them until deleted.')
@minValue(0)
@maxValue(36500)
param retentionDays int = 0

@description('Days after which a job\'s records, outputs and any job audio left behind (the `jobs/` prefixes) are deleted; 0 keeps them. More than the longest a job may wait.')
@minValue(0)
@maxValue(36500)
param jobRetentionDays int = 30

@description('Create a completion queue on the data account and set COMPLETION_QUEUE: one message per finished blob version and job, for downstream systems (the app may only add messages to it).')
param completionQueueEnabled bool = false

@description('Put blob names in telemetry and logs instead of their keyed hashes (TELEMETRY_INCLUDE_BLOB_NAMES).')
param telemetryIncludeBlobNames bool = false

// The two keys below are written to the Key Vault only when it has none yet (app/keyvault.bicep),
// so a later deployment keeps them. Bicep has no random-bytes function; newGuid() is allowed only
// in a parameter's default (Microsoft's "Bicep functions - string", newGuid), and each GUID holds
// 122 random bits, so three of them, as hex, give 366 random bits: more than the 32 random bytes
// transcriber/config requires (it counts 48 bytes once decoded).
@secure()
@description('TELEMETRY_NAME_KEY, the HMAC key of the ids that stand in for blob names in telemetry and logs: the value the Key Vault gets if it has no telemetry-name-key yet (at least 32 random bytes in hex or base64).')
param telemetryNameKey string = '${replace(newGuid(), '-', '')}${replace(newGuid(), '-', '')}${replace(newGuid(), '-', '')}'

@secure()
@description('CALLBACK_SIGNING_SECRET, the key every callback receiver\'s secret is derived from: the value the Key Vault gets if it has no callback-signing-secret yet (at least 32 random bytes in hex or base64).')
param callbackSigningSecret string = '${replace(newGuid(), '-', '')}${replace(newGuid(), '-', '')}${replace(newGuid(), '-', '')}'

@description('Run the app as a new user-assigned identity instead of its system-assigned one.')
param useUserAssignedIdentity bool = false

@description('Existing resource group name; empty for rg-<environmentName>.')
param resourceGroupName string = ''

@description('Name of the blob-triggered function, as function_app.py defines it (used by the Event Grid subscription).')
param blobTriggerFunctionName string = 'transcribe_blob'

@description('Python 3.13: azure-functions 2.x and the pinned azure-functions-runtime (requirements.txt) need it; Flex Consumption runs it (Get-AzFunctionAppFlexConsumptionRuntime lists python 3.13).')
@allowed(['3.13'])
param pythonVersion string = '3.13'

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

// Backpressure (README "Sizing for a backlog"): the Speech quota is shared by every instance;
// each instance paces itself and slows down on 429, and a throttled recording waits in the jobs
// queue instead of failing.
@description('Where each instance\'s Speech pace starts, in requests per minute (SPEECH_REQUESTS_PER_MINUTE): the Speech resource\'s fast transcription quota (600 on S0 unless raised). Instances slow down on 429 by themselves.')
@minValue(1)
@maxValue(100000)
param speechRequestsPerMinute int = 600

@description('Speech requests in flight per instance at most (SPEECH_MAX_CONCURRENCY).')
@minValue(1)
@maxValue(1000)
param speechMaxConcurrency int = 32

@description('Hours a recording may wait for a busy Speech service before it fails for good with ThrottledTooLong (MAX_DEFERRAL_HOURS).')
@minValue(1)
@maxValue(168)
param maxDeferralHours int = 24

@description('Blob-triggered invocations per instance at once (host.json extensions.blobs.maxDegreeOfParallelism, overridden by an app setting).')
@minValue(1)
@maxValue(256)
param blobMaxDegreeOfParallelism int = 64

param audioContainerName string = 'audio-in'
param transcriptsContainerName string = 'transcripts'
param failuresContainerName string = 'transcription-failures'

@description('Comma-separated default locales (TRANSCRIPTION_LOCALES).')
param transcriptionLocales string = 'en-US'

@description('Transcript formats written per audio file (OUTPUT_FORMATS).')
param outputFormats string = 'txt,srt,vtt'

@allowed(['opencensus', 'opentelemetry'])
param telemetryBackend string = 'opencensus'

@description('Minutes of audio each caller may send to Speech per UTC day (AUDIO_BUDGET_MINUTES_PER_DAY): each Entra ID caller its own, function-key callers and blobs dropped without an upload grant one for the app; 0 for no limit. Beyond it: 429 BudgetExceeded, and blobs wait for the reset.')
@minValue(0)
@maxValue(144000)
param audioBudgetMinutesPerDay int = 1440

@description('Caller IPv4/IPv6 ranges (CIDR) allowed to reach the Function App; empty allows every address. With ranges, everything else is denied except Event Grid (service tag AzureEventGrid), which delivers blob events to the webhook.')
param allowedCallerIpRanges array = []

@description('More app settings (e.g. TRANSCRIPTION_DIARIZATION_MAX_SPEAKERS, MAX_AUDIO_BYTES); they win over the ones above.')
param extraAppSettings object = {}

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = '${abbrs.webSitesFunctions}${resourceToken}'
// Flex Consumption pulls its package from this container (in the host account).
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'
// Queues on the data account, made here so each role can be scoped to one queue.
var blobPoisonQueueName = 'webjobs-blobtrigger-poison'
var erasureQueueName = 'blob-deleted'
var erasurePoisonQueueName = '${erasureQueueName}-poison'
var jobsQueueName = 'transcription-jobs'
var jobsPoisonQueueName = '${jobsQueueName}-poison'
var completionQueueName = 'transcription-completions'
var budgetTableName = 'audiobudget' // AUDIO_BUDGET_TABLE's default
var erasureSubscriptionName = '${abbrs.eventGridEventSubscriptions}erase-transcripts'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

// Audio and transcripts (personal data). Event Grid watches this account.
module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    containerNames: [audioContainerName, transcriptsContainerName, failuresContainerName]
    queueNames: concat(
      [blobPoisonQueueName, erasureQueueName, erasurePoisonQueueName, jobsQueueName, jobsPoisonQueueName],
      completionQueueEnabled ? [completionQueueName] : []
    )
    tableNames: audioBudgetMinutesPerDay > 0 ? [budgetTableName] : []
    retentionContainerNames: [audioContainerName, transcriptsContainerName, failuresContainerName]
    retentionDays: retentionDays
    // Jobs (transcriber/jobs): audio-in/jobs/<id>/audio, transcripts/jobs/..., the job records
    // (failures/jobs/<id>.json) and their failure records (failures/failed/jobs/...); the owner
    // index (failures/owners/...) and upload grants (failures/grants/...) of transcriber/domain/owners.py.
    jobRetentionPrefixes: [
      '${audioContainerName}/jobs/'
      '${transcriptsContainerName}/jobs/'
      '${failuresContainerName}/jobs/'
      '${failuresContainerName}/failed/jobs/'
      '${failuresContainerName}/owners/'
      '${failuresContainerName}/grants/'
    ]
    jobRetentionDays: jobRetentionDays
    claimsContainerName: failuresContainerName
    vnetEnabled: vnetEnabled
    allowedIpAddresses: allowedIpAddresses
    // the app's default host name is <name>.<domain> (no unique hostname is asked for)
    corsAllowedOrigins: pageDirectUploads ? concat(['https://${functionAppName}.${appServiceDomain}'], pageOrigins) : []
  }
}

// The Functions host's own state (AzureWebJobsStorage) and the deployment package: no personal
// data, so the broad roles the host needs here reach none.
module hostStorage 'app/storage.bicep' = {
  name: 'host-storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}host${resourceToken}'
    location: location
    tags: tags
    containerNames: [deploymentContainerName]
    blobSoftDeleteDays: 7
    vnetEnabled: vnetEnabled
    disablePublicNetworkAccess: true
  }
}

module speech 'app/speech.bicep' = {
  name: 'speech'
  scope: rg
  params: {
    name: '${abbrs.cognitiveServicesSpeech}${resourceToken}'
    location: !empty(speechLocation) ? speechLocation : location
    tags: tags
    vnetEnabled: vnetEnabled
  }
}

module network 'app/network.bicep' = if (vnetEnabled) {
  name: 'network'
  scope: rg
  params: {
    name: '${abbrs.networkVirtualNetworks}${resourceToken}'
    location: location
    tags: tags
  }
}

// Private endpoints: blob, queue and table (the audio budget) of the data account, blob and queue
// of the host account (the host uses no tables), Speech and the Key Vault; the app reaches each
// through the VNet, never over the internet.
var privateEndpoints = [
  { key: 'data-blob', target: storage.outputs.id, groupId: 'blob', zone: 'blob' }
  { key: 'data-queue', target: storage.outputs.id, groupId: 'queue', zone: 'queue' }
  { key: 'data-table', target: storage.outputs.id, groupId: 'table', zone: 'table' }
  { key: 'host-blob', target: hostStorage.outputs.id, groupId: 'blob', zone: 'blob' }
  { key: 'host-queue', target: hostStorage.outputs.id, groupId: 'queue', zone: 'queue' }
  { key: 'speech', target: speech.outputs.id, groupId: 'account', zone: 'speech' }
  { key: 'vault', target: keyVault.outputs.id, groupId: 'vault', zone: 'keyVault' }
]

module endpoints 'app/private-endpoint.bicep' = [
  for endpoint in (vnetEnabled ? privateEndpoints : []): {
    name: 'pe-${endpoint.key}'
    scope: rg
    params: {
      name: '${abbrs.networkPrivateEndpoints}${endpoint.key}-${resourceToken}'
      location: location
      tags: tags
      targetResourceId: endpoint.target
      groupId: endpoint.groupId
      subnetId: network.outputs.privateEndpointSubnetId
      privateDnsZoneId: network.outputs['${endpoint.zone}DnsZoneId']
    }
  }
]

// The app's keys (CALLBACK_SIGNING_SECRET, TELEMETRY_NAME_KEY), made once and kept.
module keyVault 'app/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: '${abbrs.keyVaultVaults}${resourceToken}'
    location: location
    tags: tags
    vnetEnabled: vnetEnabled
    allowedIpAddresses: allowedIpAddresses
    callbackSigningSecret: callbackSigningSecret
    telemetryNameKey: telemetryNameKey
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module userIdentity 'app/identity.bicep' = if (useUserAssignedIdentity) {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}${resourceToken}'
    location: location
    tags: tags
  }
}

var userAssignedIdentityId = useUserAssignedIdentity ? userIdentity.outputs.id : ''
var userAssignedClientId = useUserAssignedIdentity ? userIdentity.outputs.clientId : ''

// The app's own settings (transcriber/config reads them). The `AudioStorage` connection is
// identity-based: the trigger (the Functions host) and our blob clients both read these.
var identitySettings = useUserAssignedIdentity ? {
  AudioStorage__clientId: userAssignedClientId
  AZURE_CLIENT_ID: userAssignedClientId
} : {}
var completionSettings = completionQueueEnabled ? {
  COMPLETION_QUEUE: completionQueueName
} : {}
var appSettings = union(
  {
    AudioStorage__blobServiceUri: storage.outputs.blobEndpoint
    AudioStorage__queueServiceUri: storage.outputs.queueEndpoint
    AudioStorage__tableServiceUri: storage.outputs.tableEndpoint
    AudioStorage__credential: 'managedidentity'
    AUDIO_CONTAINER: audioContainerName
    TRANSCRIPTS_CONTAINER: transcriptsContainerName
    FAILURES_CONTAINER: failuresContainerName
    // Flex Consumption supports only the Event Grid-based blob trigger.
    BLOB_TRIGGER_SOURCE: 'EventGrid'
    AZURE_SPEECH_ENDPOINT: speech.outputs.endpoint
    AZURE_SPEECH_API_VERSION: '2025-10-15'
    TRANSCRIPTION_LOCALES: transcriptionLocales
    OUTPUT_FORMATS: outputFormats
    AUDIO_SAS_LIFETIME_MINUTES: '15'
    TELEMETRY_BACKEND: telemetryBackend
    TELEMETRY_INCLUDE_BLOB_NAMES: telemetryIncludeBlobNames ? 'true' : 'false'
    // Key Vault references: the platform puts the secrets' values in the app's environment.
    TELEMETRY_NAME_KEY: keyVault.outputs.nameKeyReference
    CALLBACK_SIGNING_SECRET: keyVault.outputs.callbackSecretReference
    // Behind the firewall Speech cannot fetch a SAS URL (fast transcription documents no
    // trusted-service path to storage), so the app sends the audio's bytes.
    AUDIO_URL_ENABLED: vnetEnabled ? 'false' : 'true'
    PAGE_DIRECT_UPLOADS: pageDirectUploads ? 'true' : 'false'
    // Batch transcription reads the audio only by URL (a SAS), which the closed firewall refuses:
    // behind it, audio over fast transcription's limits keeps its failure record.
    BATCH_TRANSCRIPTION_ENABLED: vnetEnabled ? 'false' : 'true'
    ERASURE_QUEUE: erasureQueueName
    TRANSCRIPTION_JOBS_QUEUE: jobsQueueName
    HTTP_AUTH_MODE: authEnabled ? 'entra' : 'function'
    TRANSCRIBE_APP_ROLE: transcribeAppRole
    TRANSCRIBE_ADMIN_ROLE: authEnabled ? transcribeAdminRole : ''
    SPEECH_REQUESTS_PER_MINUTE: string(speechRequestsPerMinute)
    SPEECH_MAX_CONCURRENCY: string(speechMaxConcurrency)
    MAX_DEFERRAL_HOURS: string(maxDeferralHours)
    AUDIO_BUDGET_MINUTES_PER_DAY: string(audioBudgetMinutesPerDay)
    AUDIO_BUDGET_TABLE: budgetTableName
    AzureFunctionsJobHost__extensions__blobs__maxDegreeOfParallelism: string(blobMaxDegreeOfParallelism)
  },
  identitySettings,
  completionSettings,
  extraAppSettings
)

module functionApp 'app/function.bicep' = {
  name: 'function'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    serviceName: 'api'
    pythonVersion: pythonVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    storageBlobEndpoint: hostStorage.outputs.blobEndpoint
    storageQueueEndpoint: hostStorage.outputs.queueEndpoint
    deploymentContainerName: deploymentContainerName
    userAssignedIdentityId: userAssignedIdentityId
    userAssignedIdentityClientId: userAssignedClientId
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    virtualNetworkSubnetId: vnetEnabled ? network.outputs.appSubnetId : ''
    authEnabled: authEnabled
    authClientId: authClientId
    authTenantId: !empty(authTenantId) ? authTenantId : tenant().tenantId
    allowedCallerIpRanges: allowedCallerIpRanges
    appSettings: appSettings
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    dataStorageAccountName: storage.outputs.name
    hostStorageAccountName: hostStorage.outputs.name
    speechAccountName: speech.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    audioContainerName: audioContainerName
    transcriptsContainerName: transcriptsContainerName
    failuresContainerName: failuresContainerName
    blobPoisonQueueName: blobPoisonQueueName
    erasureQueueName: erasureQueueName
    erasurePoisonQueueName: erasurePoisonQueueName
    jobsQueueName: jobsQueueName
    jobsPoisonQueueName: jobsPoisonQueueName
    completionQueueName: completionQueueName
    completionQueueEnabled: completionQueueEnabled
    budgetTableName: audioBudgetMinutesPerDay > 0 ? budgetTableName : ''
    appPrincipalId: useUserAssignedIdentity ? userIdentity.outputs.principalId : functionApp.outputs.systemAssignedPrincipalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    deployerDataAccess: deployerDataAccess
    hostAccountContributor: hostAccountContributor
  }
}

module keyVaultAccess 'app/keyvault-access.bicep' = {
  name: 'keyvault-access'
  scope: rg
  params: {
    vaultName: keyVault.outputs.name
    callbackSecretName: keyVault.outputs.callbackSecretName
    nameKeySecretName: keyVault.outputs.nameKeySecretName
    appPrincipalId: useUserAssignedIdentity ? userIdentity.outputs.principalId : functionApp.outputs.systemAssignedPrincipalId
  }
}

module eventGrid 'app/eventgrid.bicep' = {
  name: 'eventgrid'
  scope: rg
  params: {
    name: '${abbrs.eventGridSystemTopics}${resourceToken}'
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
    audioContainerName: audioContainerName
    erasureQueueName: erasureQueueName
    erasureSubscriptionName: erasureSubscriptionName
  }
}

module diagnostics 'app/diagnostics.bicep' = {
  name: 'diagnostics'
  scope: rg
  params: {
    workspaceId: monitoring.outputs.logAnalyticsId
    dataStorageAccountName: storage.outputs.name
    hostStorageAccountName: hostStorage.outputs.name
    speechAccountName: speech.outputs.name
    functionAppName: functionApp.outputs.name
    systemTopicName: eventGrid.outputs.name
    keyVaultName: keyVault.outputs.name
  }
}

// azd writes these to .azure/<env>/.env; infra/hooks/postdeploy.* and the docs read them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_HOSTNAME string = functionApp.outputs.defaultHostName
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_HOST_STORAGE_ACCOUNT_NAME string = hostStorage.outputs.name
output AZURE_VNET_ENABLED bool = vnetEnabled
output AUDIO_CONTAINER string = audioContainerName
output TRANSCRIPTS_CONTAINER string = transcriptsContainerName
output FAILURES_CONTAINER string = failuresContainerName
output AZURE_SPEECH_ENDPOINT string = speech.outputs.endpoint
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_CLIENT_ID string = userAssignedClientId
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output AZURE_EVENTGRID_SYSTEM_TOPIC_NAME string = eventGrid.outputs.name
output AZURE_EVENTGRID_ERASURE_SUBSCRIPTION_NAME string = eventGrid.outputs.erasureSubscriptionName
// Event subscription names allow letters, digits and hyphens only.
output AZURE_EVENTGRID_SUBSCRIPTION_NAME string = '${abbrs.eventGridEventSubscriptions}${replace(blobTriggerFunctionName, '_', '-')}'
output AZURE_BLOB_TRIGGER_FUNCTION_NAME string = blobTriggerFunctionName
