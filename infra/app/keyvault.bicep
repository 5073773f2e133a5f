// The app's two keys, CALLBACK_SIGNING_SECRET and TELEMETRY_NAME_KEY, in a Key Vault the app
// reads through Key Vault references (Microsoft's "Use Key Vault references as app settings in
// Azure App Service and Azure Functions", learn.microsoft.com/azure/app-service/app-service-key-vault-references).
// RBAC authorization only (no access policies); the app's role is granted per secret in
// keyvault-access.bicep. Each secret is written only when the vault has none of that name
// (`@onlyIfNotExists()`, Microsoft's "Resource declaration in Bicep",
// learn.microsoft.com/azure/azure-resource-manager/bicep/resource-declaration), so a redeploy
// keeps the keys: callback receivers keep their secrets and telemetry ids stay comparable.

param name string
param location string = resourceGroup().location
param tags object = {}

@description('With vnetEnabled the vault\'s firewall lets in only its private endpoint, trusted Azure services and allowedIpAddresses.')
param vnetEnabled bool = false

@description('With vnetEnabled: public IPv4 addresses or CIDR ranges let through the firewall (an operator reading the callback key).')
param allowedIpAddresses array = []

@secure()
@description('CALLBACK_SIGNING_SECRET\'s value when the vault has no callback-signing-secret yet.')
param callbackSigningSecret string

@secure()
@description('TELEMETRY_NAME_KEY\'s value when the vault has no telemetry-name-key yet.')
param telemetryNameKey string

var callbackSecretName = 'callback-signing-secret'
var nameKeySecretName = 'telemetry-name-key'

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    // The public endpoint stays on behind a Deny firewall (as the data account's): the secrets'
    // creation goes through Azure Resource Manager, a trusted service (bypass), while the app
    // reads them through the private endpoint (main.bicep) with vnetEnabled.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: vnetEnabled ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
      ipRules: [for address in (vnetEnabled ? allowedIpAddresses : []): {
        value: address
      }]
    }
  }
}

@onlyIfNotExists()
resource callbackSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: callbackSecretName
  properties: {
    value: callbackSigningSecret
    contentType: 'hex'
  }
}

@onlyIfNotExists()
resource nameKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: nameKeySecretName
  properties: {
    value: telemetryNameKey
    contentType: 'hex'
  }
}

output id string = vault.id
output name string = vault.name
output callbackSecretName string = callbackSecret.name
output nameKeySecretName string = nameKeySecret.name
// Versionless: the app reads the secret's current version (a new version reaches the app within
// a day, or at its next restart or settings change).
output callbackSecretReference string = '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/${callbackSecret.name})'
output nameKeyReference string = '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/${nameKeySecret.name})'
