// One private endpoint: a NIC in the private-endpoints subnet for one sub-resource (`groupId`:
// blob, queue, table, account for Speech, vault for Key Vault) of one resource, registered in its private DNS zone.

param name string
param location string = resourceGroup().location
param tags object = {}

@description('Resource id of the storage account, Cognitive Services account or key vault.')
param targetResourceId string

@allowed(['blob', 'queue', 'table', 'account', 'vault'])
param groupId string

param subnetId string
param privateDnsZoneId string

resource endpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    subnet: {
      id: subnetId
    }
    privateLinkServiceConnections: [
      {
        name: name
        properties: {
          privateLinkServiceId: targetResourceId
          groupIds: [groupId]
        }
      }
    ]
  }
}

resource dnsZoneGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = {
  parent: endpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: groupId
        properties: {
          privateDnsZoneId: privateDnsZoneId
        }
      }
    ]
  }
}

output id string = endpoint.id
