// The Function App on Flex Consumption (Linux, Python), with its plan and app settings.
// It always has a system-assigned identity; when a user-assigned identity is given, the app
// uses that one instead everywhere (host storage, deployment package, trigger, Speech, telemetry).

param name string
param planName string
param location string = resourceGroup().location
param tags object = {}

@description('azd service name from azure.yaml; azd finds the app by this tag.')
param serviceName string = 'api'

@description('Python 3.13: azure-functions 2.x and the pinned azure-functions-runtime (requirements.txt) need it; Flex Consumption runs it (Get-AzFunctionAppFlexConsumptionRuntime lists python 3.13).')
@allowed(['3.13'])
param pythonVersion string = '3.13'

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Blob, queue and table endpoints of the storage account the host uses (AzureWebJobsStorage).')
param storageBlobEndpoint string
param storageQueueEndpoint string
param storageTableEndpoint string

@description('Blob container holding the deployment package.')
param deploymentContainerName string

@description('Resource id of a user-assigned identity; empty for the system-assigned identity.')
param userAssignedIdentityId string = ''
@description('Client id of that user-assigned identity.')
param userAssignedIdentityClientId string = ''

param applicationInsightsConnectionString string

@description('The app\'s own settings (AudioStorage__*, AZURE_SPEECH_*, ...), merged over the host\'s.')
param appSettings object = {}

var useUserAssigned = !empty(userAssignedIdentityId)
var appInsightsAuthentication = useUserAssigned ? 'Authorization=AAD;ClientId=${userAssignedIdentityClientId}' : 'Authorization=AAD'
var deploymentAuthentication = useUserAssigned ? {
  type: 'UserAssignedIdentity'
  userAssignedIdentityResourceId: userAssignedIdentityId
} : {
  type: 'SystemAssignedIdentity'
}

// What the Functions host itself needs: identity-based AzureWebJobsStorage (Flex Consumption
// requires it) and Entra ID authentication to Application Insights.
var hostSettings = union(
  {
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
    AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
    AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: appInsightsAuthentication
  },
  useUserAssigned ? { AzureWebJobsStorage__clientId: userAssignedIdentityClientId } : {}
)

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: useUserAssigned ? 'SystemAssigned, UserAssigned' : 'SystemAssigned'
    userAssignedIdentities: useUserAssigned ? { '${userAssignedIdentityId}': {} } : null
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: deploymentAuthentication
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'python'
        version: pythonVersion
      }
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(hostSettings, appSettings)
}

// Deployments (func publish, azd) authenticate with Entra ID; publishing passwords are off.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

output name string = site.name
output id string = site.id
output defaultHostName string = site.properties.defaultHostName
output systemAssignedPrincipalId string = site.identity.principalId
