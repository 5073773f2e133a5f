// One storage account for everything: the host's own state (AzureWebJobsStorage), the
// deployment package, the audio the trigger watches and the transcripts it writes.
// Entra ID only: shared keys (and so account SAS and connection strings) are off.

@description('Storage account name: 3-24 lower-case letters and digits, globally unique.')
param name string
param location string = resourceGroup().location
param tags object = {}

@description('Container the blob trigger watches (AUDIO_CONTAINER).')
param audioContainerName string

@description('Container the transcript sets go to (TRANSCRIPTS_CONTAINER).')
param transcriptsContainerName string

@description('Container the failure records and per-version claims go to (FAILURES_CONTAINER).')
param failuresContainerName string

@description('Container the Flex Consumption app deploys its package from.')
param deploymentContainerName string

@description('Days a deleted blob (audio or transcript) stays recoverable.')
@minValue(1)
@maxValue(365)
param blobSoftDeleteDays int = 7

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    dnsEndpointType: 'Standard'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      // Event Grid and Speech (which fetches big files through a user-delegation SAS URL)
      // reach the account over its public endpoint; nothing gets in without Entra ID.
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: blobSoftDeleteDays
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = [
  for containerName in [audioContainerName, transcriptsContainerName, failuresContainerName, deploymentContainerName]: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
