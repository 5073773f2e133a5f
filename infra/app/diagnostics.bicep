// Diagnostic settings: every resource that touches audio or transcripts sends its resource logs
// and metrics to the Log Analytics workspace (who read or deleted what, Speech calls, function
// runs, Event Grid delivery failures). Storage resource logs name the blobs they touch, so
// workspace access is as sensitive as the data: see docs/DEPLOY.md, Security.
// Microsoft.Insights/diagnosticSettings has no newer API version than 2021-05-01-preview, the
// one Microsoft's Bicep reference and Azure Verified Modules use (categoryGroup needs it).

param workspaceId string
param dataStorageAccountName string
param hostStorageAccountName string
param speechAccountName string
param functionAppName string
param systemTopicName string
@description('The Key Vault of the app\'s keys: its audit log says who read which secret when.')
param keyVaultName string

var settingName = 'to-log-analytics'
var allLogs = [
  {
    categoryGroup: 'allLogs'
    enabled: true
  }
]
var allMetrics = [
  {
    category: 'AllMetrics'
    enabled: true
  }
]
var transactionMetrics = [
  {
    category: 'Transaction'
    enabled: true
  }
]

resource dataStorage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: dataStorageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'
  }

  resource queueService 'queueServices' existing = {
    name: 'default'
  }
}

resource hostStorage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: hostStorageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'
  }
}

resource speech 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: speechAccountName
}

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

// Storage: the account takes metrics only; each service takes its read/write/delete logs.
resource dataAccountDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: dataStorage
  properties: {
    workspaceId: workspaceId
    metrics: transactionMetrics
  }
}

resource dataBlobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: dataStorage::blobService
  properties: {
    workspaceId: workspaceId
    logs: allLogs
    metrics: transactionMetrics
  }
}

resource dataQueueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: dataStorage::queueService
  properties: {
    workspaceId: workspaceId
    logs: allLogs
    metrics: transactionMetrics
  }
}

resource hostBlobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: hostStorage::blobService
  properties: {
    workspaceId: workspaceId
    logs: allLogs
    metrics: transactionMetrics
  }
}

resource speechDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: speech
  properties: {
    workspaceId: workspaceId
    logs: allLogs
    metrics: allMetrics
  }
}

resource functionAppDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: site
  properties: {
    workspaceId: workspaceId
    logs: allLogs
    metrics: allMetrics
  }
}

resource eventGridDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: systemTopic
  properties: {
    workspaceId: workspaceId
    logs: allLogs
    metrics: allMetrics
  }
}

resource keyVaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: vault
  properties: {
    workspaceId: workspaceId
    logs: allLogs
    metrics: allMetrics
  }
}
