// Role assignments, each on the smallest scope Azure allows for what it is for (docs/DEPLOY.md,
// Security, lists each with its reason and Microsoft's page). The app's code and the Functions
// host run as one identity, so the app gets the union of what both need:
// - host account (AzureWebJobsStorage, deployment package; no personal data): the roles
//   "Connecting to host storage with an identity" lists for the host and a blob trigger that
//   this app needs, on the account (the host lists and creates its containers and the trigger's
//   queue there): Storage Blob Data Owner and Storage Queue Data Contributor. Not Storage Account
//   Contributor unless hostAccountContributor (only the polling blob trigger's Set Blob Service
//   Properties needs it; the Event Grid trigger never calls it, and it could re-enable shared keys
//   or open the firewall), never Storage Table Data Contributor there (Durable Functions' need,
//   not this app's); the deployment container's need (Storage Blob Data Contributor, Flex Consumption)
//   lies within the first;
// - data account: write on the audio container (uploads SAS and job audio), the transcripts and
//   failures containers, the blob trigger's poison queue, the erasure queues, the jobs queues and
//   the optional completion queue each scoped to that one queue, and Storage Blob Delegator (user-delegation keys are an
//   account-level operation) for the SAS URLs Speech and uploaders use.
// The deployer's data access is opt-in (deployerDataAccess) and limited to the two containers.

param dataStorageAccountName string
param hostStorageAccountName string
param speechAccountName string
param applicationInsightsName string

param audioContainerName string
param transcriptsContainerName string
@description('Container of failure records and per-version claims (FAILURES_CONTAINER).')
param failuresContainerName string
@description('The blob trigger\'s poison queue on the data account (webjobs-blobtrigger-poison).')
param blobPoisonQueueName string
@description('The queue Event Grid delivers BlobDeleted events to, and its poison queue.')
param erasureQueueName string
param erasurePoisonQueueName string
@description('The queue transcription jobs go through (TRANSCRIPTION_JOBS_QUEUE), and its poison queue.')
param jobsQueueName string
param jobsPoisonQueueName string
@description('The optional completion queue (COMPLETION_QUEUE); the app only adds messages to it.')
param completionQueueName string
param completionQueueEnabled bool = false

@description('The audio budget\'s table on the data account; empty when the budget is off.')
param budgetTableName string = ''

@description('Principal id of the identity the app uses (the user-assigned one if set, else the system-assigned one).')
param appPrincipalId string

@description('Object id of the deploying user or service principal; empty for none.')
param deployerPrincipalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
param deployerPrincipalType string = 'User'

@description('Give the deployer upload access to the audio container, read access to the transcripts and failures containers and Speech User.')
param deployerDataAccess bool = false

@description('Storage Account Contributor on the host account as well: only if the host logs 403 on SetBlobServiceProperties.')
param hostAccountContributor bool = false

// Built-in role definition ids (the same in every tenant; learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner: host storage blobs (locks, keys, blob receipts) and the deployment package
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor: write and delete transcripts; the deployer's uploads
var storageBlobDataReader = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1' // Storage Blob Data Reader: read audio; the deployer reads transcripts
var storageBlobDelegator = 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a' // Storage Blob Delegator: get a user delegation key for read SAS URLs
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor: the blob trigger's host queue; poison queues
var storageQueueDataReader = '19e7f393-937e-4f77-808e-94535e297925' // Storage Queue Data Reader: the erasure and jobs queue triggers peek and read their length
var storageQueueDataMessageProcessor = '8a0f0c08-91a1-4084-bc3d-661d67233fed' // Storage Queue Data Message Processor: the erasure and jobs queue triggers take and delete messages
var storageQueueDataMessageSender = 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a' // Storage Queue Data Message Sender: the HTTP functions enqueue transcription jobs; completion messages
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor: the audio budget's table (data account)
var storageAccountContributor = '17d1049b-9a84-46fb-8f53-869881c3d3ab' // Storage Account Contributor: only with hostAccountContributor (the polling blob trigger's Set Blob Service Properties)
// Cognitive Services User would give in effect Contributor rights on Speech's data plane
// (Microsoft's Speech RBAC page), more than transcribing needs.
var cognitiveServicesSpeechUser = 'f2dc8367-1007-4938-bd23-fe263f013447' // Cognitive Services Speech User: the transcription APIs with an Entra ID token, no keys
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher: send telemetry with local auth disabled

resource dataStorage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: dataStorageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource audio 'containers' existing = {
      name: audioContainerName
    }

    resource transcripts 'containers' existing = {
      name: transcriptsContainerName
    }

    resource failures 'containers' existing = {
      name: failuresContainerName
    }
  }

  resource queueService 'queueServices' existing = {
    name: 'default'

    resource blobPoison 'queues' existing = {
      name: blobPoisonQueueName
    }

    resource erasure 'queues' existing = {
      name: erasureQueueName
    }

    resource erasurePoison 'queues' existing = {
      name: erasurePoisonQueueName
    }

    resource jobs 'queues' existing = {
      name: jobsQueueName
    }

    resource jobsPoison 'queues' existing = {
      name: jobsPoisonQueueName
    }

    resource completion 'queues' existing = {
      name: completionQueueName
    }
  }

  resource tableService 'tableServices' existing = {
    name: 'default'

    resource budget 'tables' existing = {
      name: !empty(budgetTableName) ? budgetTableName : 'audiobudget'
    }
  }
}

resource hostStorage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: hostStorageAccountName
}

resource speech 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: speechAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Host account: what the Functions host needs for AzureWebJobsStorage with an Event Grid blob trigger.

resource hostBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hostStorage.id, appPrincipalId, storageBlobDataOwner)
  scope: hostStorage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwner)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource hostQueueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hostStorage.id, appPrincipalId, storageQueueDataContributor)
  scope: hostStorage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Off by default: a management role, which could re-enable shared keys or open the firewall.
resource hostAccountContributorRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (hostAccountContributor) {
  name: guid(hostStorage.id, appPrincipalId, storageAccountContributor)
  scope: hostStorage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageAccountContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Data account: the app's code and the triggers on it.

// Contributor, not Reader: the app writes here. /api/uploads hands out a user-delegation SAS with
// create and write, and such a SAS grants only what the delegating identity may do; /api/transcriptions
// stores a job's body audio as audio-in/jobs/<id>/audio.
resource audioContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::blobService::audio.id, appPrincipalId, storageBlobDataContributor)
  scope: dataStorage::blobService::audio
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource transcriptsContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::blobService::transcripts.id, appPrincipalId, storageBlobDataContributor)
  scope: dataStorage::blobService::transcripts
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource failuresContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::blobService::failures.id, appPrincipalId, storageBlobDataContributor)
  scope: dataStorage::blobService::failures
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource dataDelegator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage.id, appPrincipalId, storageBlobDelegator)
  scope: dataStorage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDelegator)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource blobPoisonContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::queueService::blobPoison.id, appPrincipalId, storageQueueDataContributor)
  scope: dataStorage::queueService::blobPoison
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource erasureReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::queueService::erasure.id, appPrincipalId, storageQueueDataReader)
  scope: dataStorage::queueService::erasure
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataReader)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource erasureProcessor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::queueService::erasure.id, appPrincipalId, storageQueueDataMessageProcessor)
  scope: dataStorage::queueService::erasure
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataMessageProcessor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource erasurePoisonContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::queueService::erasurePoison.id, appPrincipalId, storageQueueDataContributor)
  scope: dataStorage::queueService::erasurePoison
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The jobs queue: the HTTP functions enqueue; run_transcription_job's queue trigger reads and
// processes (Microsoft's queue trigger role table); the host moves poison messages to the poison queue.
resource jobsSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::queueService::jobs.id, appPrincipalId, storageQueueDataMessageSender)
  scope: dataStorage::queueService::jobs
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataMessageSender)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource jobsReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::queueService::jobs.id, appPrincipalId, storageQueueDataReader)
  scope: dataStorage::queueService::jobs
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataReader)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource jobsProcessor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::queueService::jobs.id, appPrincipalId, storageQueueDataMessageProcessor)
  scope: dataStorage::queueService::jobs
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataMessageProcessor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource jobsPoisonContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::queueService::jobsPoison.id, appPrincipalId, storageQueueDataContributor)
  scope: dataStorage::queueService::jobsPoison
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The completion queue (completionQueueEnabled): one message per finished blob version and job;
// the app sends and never reads, so Message Sender on that one queue is all it gets.
resource completionSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (completionQueueEnabled) {
  name: guid(dataStorage::queueService::completion.id, appPrincipalId, storageQueueDataMessageSender)
  scope: dataStorage::queueService::completion
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataMessageSender)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appSpeechUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(speech.id, appPrincipalId, cognitiveServicesSpeechUser)
  scope: speech
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cognitiveServicesSpeechUser)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The deployer, only when asked for: upload test audio, read its transcripts, run the app
// locally against Speech (az login, no keys). Never the host account or the deployment package.

var grantDeployer = deployerDataAccess && !empty(deployerPrincipalId)

resource deployerAudioContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeployer) {
  name: guid(dataStorage::blobService::audio.id, deployerPrincipalId, storageBlobDataContributor)
  scope: dataStorage::blobService::audio
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

resource deployerTranscriptsReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeployer) {
  name: guid(dataStorage::blobService::transcripts.id, deployerPrincipalId, storageBlobDataReader)
  scope: dataStorage::blobService::transcripts
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataReader)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

resource deployerFailuresReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeployer) {
  name: guid(dataStorage::blobService::failures.id, deployerPrincipalId, storageBlobDataReader)
  scope: dataStorage::blobService::failures
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataReader)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

resource deployerSpeechUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeployer) {
  name: guid(speech.id, deployerPrincipalId, cognitiveServicesSpeechUser)
  scope: speech
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cognitiveServicesSpeechUser)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

// The audio budget (transcriber/flows/budget.py): the app reads and writes its rows, on that one
// table only.
resource budgetTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(budgetTableName)) {
  name: guid(dataStorage::tableService::budget.id, appPrincipalId, storageTableDataContributor)
  scope: dataStorage::tableService::budget
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}
