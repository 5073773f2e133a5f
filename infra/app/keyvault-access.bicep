// Who may read the vault's secrets (keyvault.bicep): the app's identity, each secret on the
// secret itself rather than the whole vault; it resolves its Key Vault references with them.
// Nobody else gets a data role here (docs/DEPLOY.md says how an operator reads the callback key
// to hand a receiver its secret). Apart from keyvault.bicep because the app's system-assigned
// identity exists only after the app, whose settings name the secrets.

param vaultName string
param callbackSecretName string
param nameKeySecretName string
param appPrincipalId string

var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6' // Key Vault Secrets User: read one secret's value (Key Vault references)

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: vaultName
}

resource callbackSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' existing = {
  parent: vault
  name: callbackSecretName
}

resource nameKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' existing = {
  parent: vault
  name: nameKeySecretName
}

resource appCallbackSecret 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(callbackSecret.id, appPrincipalId, keyVaultSecretsUser)
  scope: callbackSecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appNameKeySecret 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(nameKeySecret.id, appPrincipalId, keyVaultSecretsUser)
  scope: nameKeySecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}
