// The Event Grid system topic for the data account's blob events, and the BlobDeleted
// subscription that drives erasure.
// - BlobCreated (audio in -> transcribe_blob) goes to the blob extension's webhook, whose URL
//   carries the `blobs_extension` system key: that key exists only once the code is deployed,
//   so infra/hooks/postdeploy.* creates that subscription.
// - BlobDeleted (audio deleted -> erase_transcripts) goes to a storage queue on the same
//   account, delivered with the topic's system-assigned identity (the only identity Event Grid
//   may use behind a storage firewall, with trusted services allowed), so it is made here.

param name string
@description('Must be the storage account\'s region.')
param location string = resourceGroup().location
param tags object = {}
param storageAccountName string
param audioContainerName string
@description('Queue on the data account that receives BlobDeleted events.')
param erasureQueueName string
@description('Event subscription name for BlobDeleted.')
param erasureSubscriptionName string

// Storage Queue Data Message Sender: Event Grid's identity adds messages to the erasure queue.
var storageQueueDataMessageSender = 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a' // Storage Queue Data Message Sender: deliver events to the erasure queue

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName

  resource queueService 'queueServices' existing = {
    name: 'default'

    resource erasure 'queues' existing = {
      name: erasureQueueName
    }
  }
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource topicQueueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::erasure.id, systemTopic.id, storageQueueDataMessageSender)
  scope: storage::queueService::erasure
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataMessageSender)
    principalId: systemTopic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource blobDeleted 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: systemTopic
  name: erasureSubscriptionName
  dependsOn: [topicQueueSender]
  properties: {
    deliveryWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      destination: {
        endpointType: 'StorageQueue'
        properties: {
          resourceId: storage.id
          queueName: erasureQueueName
          // -1: a message waits until the erasure function takes it, however long that is.
          queueMessageTimeToLiveInSeconds: -1
        }
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: ['Microsoft.Storage.BlobDeleted']
      subjectBeginsWith: '/blobServices/default/containers/${audioContainerName}/blobs/'
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output name string = systemTopic.name
output id string = systemTopic.id
output erasureSubscriptionName string = blobDeleted.name
