// Azure AI Speech for fast transcription. Token (Entra ID) authentication needs the
// resource's custom subdomain, so it always has one; keys are disabled.

@description('Account name; also its custom subdomain, so globally unique.')
param name string
@description('A region where fast transcription is available.')
param location string = resourceGroup().location
param tags object = {}

@description('Pricing tier; S0 is the standard one.')
param skuName string = 'S0'

@description('Private networking: reachable only through its private endpoint.')
param vnetEnabled bool = false

resource speech 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: name
  location: location
  tags: tags
  kind: 'SpeechServices'
  sku: {
    name: skuName
  }
  properties: {
    customSubDomainName: name
    disableLocalAuth: true
    // With vnetEnabled the app reaches Speech through a private endpoint only, and sends audio
    // bytes rather than SAS URLs (see docs/DEPLOY.md, Security: Speech never fetches from storage).
    publicNetworkAccess: vnetEnabled ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: vnetEnabled ? 'Deny' : 'Allow'
      ipRules: []
      virtualNetworkRules: []
    }
  }
}

output name string = speech.name
output id string = speech.id
// The custom-subdomain endpoint (AZURE_SPEECH_ENDPOINT). The account's `endpoint` property is
// not used: for kind SpeechServices it is not the address token authentication works against.
output endpoint string = 'https://${speech.properties.customSubDomainName}.cognitiveservices.azure.com'
