// Everything the transcriber needs in Azure, identity-based end to end (no keys anywhere):
// a Flex Consumption Function App, storage for audio and transcripts, Azure AI Speech,
// Application Insights, the role assignments between them and the Event Grid system topic
// the blob trigger listens on. Deploy with `azd up`, or with
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

@description('Object id of the deploying user or service principal, granted blob and Speech access for testing; empty for none.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
param principalType string = 'User'

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

param audioContainerName string = 'audio-in'
param transcriptsContainerName string = 'transcripts'
param failuresContainerName string = 'transcription-failures'

@description('Comma-separated default locales (TRANSCRIPTION_LOCALES).')
param transcriptionLocales string = 'en-US'

@description('Transcript formats written per audio file (OUTPUT_FORMATS).')
param outputFormats string = 'txt,srt,vtt'

@allowed(['opencensus', 'opentelemetry'])
param telemetryBackend string = 'opencensus'

@description('More app settings (e.g. TRANSCRIPTION_DIARIZATION_MAX_SPEAKERS, MAX_AUDIO_BYTES); they win over the ones above.')
param extraAppSettings object = {}

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = '${abbrs.webSitesFunctions}${resourceToken}'
// Flex Consumption pulls its package from this container.
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    audioContainerName: audioContainerName
    transcriptsContainerName: transcriptsContainerName
    failuresContainerName: failuresContainerName
    deploymentContainerName: deploymentContainerName
  }
}

module speech 'app/speech.bicep' = {
  name: 'speech'
  scope: rg
  params: {
    name: '${abbrs.cognitiveServicesSpeech}${resourceToken}'
    location: !empty(speechLocation) ? speechLocation : location
    tags: tags
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

// The app's own settings (transcriber/config.py reads them). The `AudioStorage` connection is
// identity-based: the trigger (the Functions host) and our blob clients both read these.
var identitySettings = useUserAssignedIdentity ? {
  AudioStorage__clientId: userAssignedClientId
  AZURE_CLIENT_ID: userAssignedClientId
} : {}
var appSettings = union(
  {
    AudioStorage__blobServiceUri: storage.outputs.blobEndpoint
    AudioStorage__queueServiceUri: storage.outputs.queueEndpoint
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
  },
  identitySettings,
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
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    userAssignedIdentityId: userAssignedIdentityId
    userAssignedIdentityClientId: userAssignedClientId
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    appSettings: appSettings
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    speechAccountName: speech.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appPrincipalId: useUserAssignedIdentity ? userIdentity.outputs.principalId : functionApp.outputs.systemAssignedPrincipalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
}

module eventGrid 'app/eventgrid.bicep' = {
  name: 'eventgrid'
  scope: rg
  params: {
    name: '${abbrs.eventGridSystemTopics}${resourceToken}'
    location: location
    tags: tags
    storageAccountId: storage.outputs.id
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
output AUDIO_CONTAINER string = audioContainerName
output TRANSCRIPTS_CONTAINER string = transcriptsContainerName
output FAILURES_CONTAINER string = failuresContainerName
output AZURE_SPEECH_ENDPOINT string = speech.outputs.endpoint
output AZURE_CLIENT_ID string = userAssignedClientId
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output AZURE_EVENTGRID_SYSTEM_TOPIC_NAME string = eventGrid.outputs.name
// Event subscription names allow letters, digits and hyphens only.
output AZURE_EVENTGRID_SUBSCRIPTION_NAME string = '${abbrs.eventGridEventSubscriptions}${replace(blobTriggerFunctionName, '_', '-')}'
output AZURE_BLOB_TRIGGER_FUNCTION_NAME string = blobTriggerFunctionName
