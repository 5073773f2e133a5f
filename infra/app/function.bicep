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

@description('Blob and queue endpoints of the host storage account (AzureWebJobsStorage); it also holds the deployment package.')
param storageBlobEndpoint string
param storageQueueEndpoint string

@description('Blob container holding the deployment package.')
param deploymentContainerName string

@description('Resource id of a user-assigned identity; empty for the system-assigned identity.')
param userAssignedIdentityId string = ''
@description('Client id of that user-assigned identity.')
param userAssignedIdentityClientId string = ''

param applicationInsightsConnectionString string

@description('Subnet (delegated to Microsoft.App/environments) for VNet integration; empty for none.')
param virtualNetworkSubnetId string = ''

@description('App Service authentication with Entra ID in front of the HTTP functions.')
param authEnabled bool = false
@description('Application (client) id of the app registration callers get tokens for.')
param authClientId string = ''
@description('Tenant of that app registration.')
param authTenantId string = tenant().tenantId
@description('Token audiences accepted; empty for api://<authClientId> and <authClientId>.')
param authAllowedAudiences array = []

@description('Caller IPv4/IPv6 CIDR ranges allowed in; empty: no restriction. With ranges, Event Grid (AzureEventGrid) is allowed too and everything else denied.')
param allowedCallerIpRanges array = []

@secure()
@description('The app\'s own settings (AudioStorage__*, AZURE_SPEECH_*, ...), merged over the host\'s; secure because they may carry values a caller passes in extraAppSettings.')
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
// requires it; blobs and queues only: tables serve Durable Functions and extensions this app does
// not use) and Entra ID authentication to Application Insights.
var hostSettings = union(
  {
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
    AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
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
    // VNet integration: all outbound traffic (storage, Speech, Key Vault) leaves through the app subnet,
    // where the private endpoints and their DNS zones are.
    virtualNetworkSubnetId: !empty(virtualNetworkSubnetId) ? virtualNetworkSubnetId : null
    // The identity that resolves the Key Vault references among the app settings: the one the
    // app runs as (Microsoft's "Use Key Vault references as app settings", user-assigned identity).
    keyVaultReferenceIdentity: useUserAssigned ? userAssignedIdentityId : 'SystemAssigned'
    siteConfig: {
      minTlsVersion: '1.2'
      // Access restrictions ("Azure App Service access restrictions",
      // https://learn.microsoft.com/azure/app-service/overview-access-restrictions): with caller
      // ranges, only they and Event Grid's service tag (the blob trigger's webhook,
      // /runtime/webhooks/blobs) reach the app; the rest is denied. The scm site (deployments)
      // keeps its own rules: azd and func publish reach it with Entra ID.
      ipSecurityRestrictionsDefaultAction: empty(allowedCallerIpRanges) ? 'Allow' : 'Deny'
      ipSecurityRestrictions: empty(allowedCallerIpRanges) ? [] : concat(
        [
          {
            name: 'event-grid'
            description: 'Event Grid delivers blob events to the webhook'
            tag: 'ServiceTag'
            ipAddress: 'AzureEventGrid'
            action: 'Allow'
            priority: 100
          }
        ],
        map(range(0, length(allowedCallerIpRanges)), i => {
          name: 'caller-${i}'
          description: 'A caller range (allowedCallerIpRanges)'
          ipAddress: allowedCallerIpRanges[i]
          action: 'Allow'
          priority: 200 + i
        })
      )
      scmIpSecurityRestrictionsUseMain: false
    }
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

// Entra ID sign-in for callers (learn.microsoft.com/azure/app-service/configure-authentication-provider-aad):
// the platform validates the bearer token (issuer, audience), or a browser's session cookie, before
// a request reaches the app, answers 401 without one, and passes the caller's claims in
// X-MS-CLIENT-PRINCIPAL; the app then requires the app role in TRANSCRIBE_APP_ROLE
// (transcriber/entry/http/callers.py). Reachable without a token: the health endpoint, the blob
// extension's Event Grid webhook, and the page's own files (transcriber/web/, no data in them), so
// that a browser without a session gets the page and its "Sign in" link (/.auth/login/aad) rather
// than a bare 401; every API call the page then makes carries the session.
var audiences = empty(authAllowedAudiences) ? ['api://${authClientId}', authClientId] : authAllowedAudiences
var pagePaths = [
  '/'
  '/config.json'
  '/api.js'
  '/app.js'
  '/dom.js'
  '/icon.svg'
  '/index.html'
  '/list.js'
  '/style.css'
  '/text.js'
  '/transcript.js'
  '/uploads.js'
]

resource auth 'Microsoft.Web/sites/config@2024-04-01' = if (authEnabled) {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      excludedPaths: concat(['/api/health', '/runtime/webhooks/blobs'], pagePaths)
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          openIdIssuer: '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
          clientId: authClientId
        }
        validation: {
          allowedAudiences: audiences
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
    httpSettings: {
      requireHttps: true
    }
  }
}

output name string = site.name
output id string = site.id
output defaultHostName string = site.properties.defaultHostName
output systemAssignedPrincipalId string = site.identity.principalId
