// One storage account, Entra ID only: shared keys (and so account SAS and connection strings)
// are off. main.bicep makes two of these: the data account (audio, transcripts, the queues of
// the blob and erasure triggers) and the host account (AzureWebJobsStorage and the deployment
// package), so that no role the host needs on its own account reaches personal data.

@description('Storage account name: 3-24 lower-case letters and digits, globally unique.')
param name string
param location string = resourceGroup().location
param tags object = {}

@description('Blob containers to create.')
param containerNames array = []

@description('Queues to create (so role assignments can be scoped to each queue).')
param queueNames array = []

@description('Tables to create (the audio budget: AUDIO_BUDGET_TABLE).')
param tableNames array = []

@description('Days a deleted blob stays recoverable; 0 turns blob soft delete off.')
@minValue(0)
@maxValue(365)
param blobSoftDeleteDays int = 7

@description('Containers whose blobs a lifecycle rule deletes after `retentionDays`; empty for none.')
param retentionContainerNames array = []

@description('Days after its last modification that a blob in `retentionContainerNames` is deleted; 0 for never.')
@minValue(0)
@maxValue(36500)
param retentionDays int = 0

@description('Blob prefixes (`<container>/<prefix>`) of transcription jobs, deleted after `jobRetentionDays`.')
param jobRetentionPrefixes array = []

@description('Days after its last modification that a blob under `jobRetentionPrefixes` is deleted; 0 for never.')
@minValue(0)
@maxValue(36500)
param jobRetentionDays int = 0

@description('Container whose `claims/` blobs (the per-version claims of transcriber/flows/claims.py) a lifecycle rule deletes after `claimRetentionDays`; empty for none.')
param claimsContainerName string = ''

@description('Days after its last modification that a claim is deleted; at least 2, since the app trusts a newly created claim for versions written in the last 12 hours.')
@minValue(2)
@maxValue(36500)
param claimRetentionDays int = 7

@description('Private networking: the firewall denies everything but private endpoints, trusted Azure services and `allowedIpAddresses`.')
param vnetEnabled bool = false

@description('Turn the public endpoint off entirely (only private endpoints); with vnetEnabled only.')
param disablePublicNetworkAccess bool = false

@description('Public IPv4 addresses or CIDR ranges let through the firewall when vnetEnabled (e.g. an upload client).')
param allowedIpAddresses array = []

@description('Origins (the app\'s page) allowed to PUT a blob with an upload URL from a browser; empty for no CORS rule.')
param corsAllowedOrigins array = []

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
    publicNetworkAccess: vnetEnabled && disablePublicNetworkAccess ? 'Disabled' : 'Enabled'
    networkAcls: {
      // Deny: only the private endpoints and the listed addresses get in. AzureServices lets the
      // trusted services through: Event Grid delivers BlobDeleted events to the erasure queue
      // with its system-assigned identity, which works behind a firewall only this way.
      defaultAction: vnetEnabled ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
      ipRules: [for address in (vnetEnabled ? allowedIpAddresses : []): {
        value: address
        action: 'Allow'
      }]
      virtualNetworkRules: []
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: blobSoftDeleteDays > 0
      days: blobSoftDeleteDays > 0 ? blobSoftDeleteDays : null
    }
    // The page's large uploads (learn.microsoft.com/rest/api/storageservices/cross-origin-resource-sharing--cors--support-for-the-azure-storage-services):
    // a PUT from the page's origin with the upload's headers, nothing else. CORS only lets the
    // browser read the answer; the create-only SAS is what authorizes the write.
    cors: {
      corsRules: empty(corsAllowedOrigins) ? [] : [
        {
          allowedOrigins: corsAllowedOrigins
          allowedMethods: ['PUT']
          allowedHeaders: ['content-type', 'if-none-match', 'x-ms-blob-type']
          exposedHeaders: ['etag']
          maxAgeInSeconds: 3600
        }
      ]
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = [
  for containerName in containerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2024-01-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2024-01-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2024-01-01' = if (!empty(tableNames)) {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2024-01-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

// Retention: blobs older than retentionDays (since last written) are deleted, in the audio and
// transcripts containers alike. Event Grid reports a lifecycle deletion as BlobDeleted too, so
// the erasure function removes what is left of a recording the rule deleted.
var retentionPrefixes = [for containerName in retentionContainerNames: '${containerName}/']
var retentionRule = {
  name: 'retention'
  enabled: true
  type: 'Lifecycle'
  definition: {
    filters: {
      blobTypes: ['blockBlob']
      prefixMatch: retentionPrefixes
    }
    actions: {
      baseBlob: {
        delete: {
          daysAfterModificationGreaterThan: retentionDays
        }
      }
      version: {
        delete: {
          daysAfterCreationGreaterThan: retentionDays
        }
      }
      snapshot: {
        delete: {
          daysAfterCreationGreaterThan: retentionDays
        }
      }
    }
  }
}
// Jobs: a job's record, its outputs and its failure record are there to be polled and fetched
// for jobRetentionDays, then deleted; job audio is removed by its job when it ends, and this rule
// catches any left behind (a job that never ended).
var jobsRule = {
  name: 'jobs'
  enabled: true
  type: 'Lifecycle'
  definition: {
    filters: {
      blobTypes: ['blockBlob']
      prefixMatch: jobRetentionPrefixes
    }
    actions: {
      baseBlob: {
        delete: {
          daysAfterModificationGreaterThan: jobRetentionDays
        }
      }
      version: {
        delete: {
          daysAfterCreationGreaterThan: jobRetentionDays
        }
      }
    }
  }
}
// Claims: a successful version keeps its claim as its mark (transcriber/flows/claims.py); they go
// after claimRetentionDays, long after any duplicate delivery of that version could arrive.
var claimsRule = {
  name: 'claims'
  enabled: true
  type: 'Lifecycle'
  definition: {
    filters: {
      blobTypes: ['blockBlob']
      prefixMatch: ['${claimsContainerName}/claims/']
    }
    actions: {
      baseBlob: {
        delete: {
          daysAfterModificationGreaterThan: claimRetentionDays
        }
      }
    }
  }
}
var retentionRules = retentionDays > 0 && !empty(retentionContainerNames) ? [retentionRule] : []
var jobsRules = jobRetentionDays > 0 && !empty(jobRetentionPrefixes) ? [jobsRule] : []
var claimRules = empty(claimsContainerName) ? [] : [claimsRule]

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2024-01-01' = if (!empty(concat(retentionRules, jobsRules, claimRules))) {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: concat(retentionRules, jobsRules, claimRules)
    }
  }
}

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
