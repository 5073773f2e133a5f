// The virtual network of vnetEnabled (as in Microsoft's functions-quickstart-python-azd-eventgrid-blob):
// one subnet the Function App's outbound traffic joins (VNet integration; Flex Consumption
// delegates it to Microsoft.App/environments), one for private endpoints, and the private DNS
// zones that make the storage, Speech and Key Vault host names resolve to those endpoints inside it.

param name string
param location string = resourceGroup().location
param tags object = {}

param addressPrefix string = '10.0.0.0/16'
param appSubnetPrefix string = '10.0.2.0/24'
param privateEndpointSubnetPrefix string = '10.0.1.0/24'

var appSubnetName = 'app'
var privateEndpointSubnetName = 'private-endpoints'
// Private Link's zone names (learn.microsoft.com/azure/private-link/private-endpoint-dns).
var dnsZones = [
  { key: 'blob', name: 'privatelink.blob.${environment().suffixes.storage}' }
  { key: 'queue', name: 'privatelink.queue.${environment().suffixes.storage}' }
  { key: 'table', name: 'privatelink.table.${environment().suffixes.storage}' }
  { key: 'speech', name: 'privatelink.cognitiveservices.azure.com' }
  { key: 'keyVault', name: 'privatelink.vaultcore.azure.net' }
]

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [addressPrefix]
    }
    subnets: [
      {
        name: privateEndpointSubnetName
        properties: {
          addressPrefix: privateEndpointSubnetPrefix
          privateEndpointNetworkPolicies: 'Disabled'
          privateLinkServiceNetworkPolicies: 'Enabled'
        }
      }
      {
        name: appSubnetName
        properties: {
          addressPrefix: appSubnetPrefix
          privateEndpointNetworkPolicies: 'Disabled'
          privateLinkServiceNetworkPolicies: 'Enabled'
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
    ]
  }
}

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for zone in dnsZones: {
    name: zone.name
    location: 'global'
    tags: tags
  }
]

resource links 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (zone, index) in dnsZones: {
    parent: zones[index]
    name: '${name}-${zone.key}'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnet.id
      }
    }
  }
]

output id string = vnet.id
output appSubnetId string = '${vnet.id}/subnets/${appSubnetName}'
output privateEndpointSubnetId string = '${vnet.id}/subnets/${privateEndpointSubnetName}'
output blobDnsZoneId string = zones[0].id
output queueDnsZoneId string = zones[1].id
output tableDnsZoneId string = zones[2].id
output speechDnsZoneId string = zones[3].id
output keyVaultDnsZoneId string = zones[4].id
