// The Event Grid system topic for the storage account's blob events. Its subscription, which
// delivers BlobCreated events for the audio container to the blob trigger's webhook, is made
// by infra/hooks/postdeploy.* after the code is deployed: the webhook URL carries the
// `blobs_extension` system key, which exists only once the host has loaded the blob trigger,
// and Event Grid validates the endpoint when the subscription is created.

param name string
@description('Must be the storage account\'s region.')
param location string = resourceGroup().location
param tags object = {}
param storageAccountId string

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    source: storageAccountId
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output name string = systemTopic.name
output id string = systemTopic.id
