// Overt's Azure resources, for the Microsoft 365 Agents Toolkit's `arm/deploy` step (m365agents.yml).
// Modelled on Microsoft's Teams bot template (TeamsFx templates, infra/azure.bicep): an App Service plan and
// web app (Node 20), the Azure Bot registration with the Teams channel; added here: two or more instances, a
// health check on /healthz, a Key Vault for the secrets, and the web app's settings read from it through its
// managed identity. The Entra app registrations (bot, SSO, Graph) are made by the Toolkit's aadApp/create steps.
// NOT COMPILED HERE: there is no Bicep compiler offline; run `az bicep build --file infra/azure.bicep` first.

@maxLength(20)
@minLength(4)
@description('Prefix for every resource name, e.g. overt-dev')
param resourceBaseName string

@description('App Service plan SKU: P0v3 or larger for two or more instances')
param webAppSku string = 'P0v3'

@minValue(2)
@description('Instances of the web app (two or more: one can restart while the other serves)')
param instanceCount int = 2

param location string = resourceGroup().location

@description('The bot\'s Entra app (client) id')
param botAadAppClientId string
@secure()
@description('The bot\'s client secret (stored in Key Vault)')
param botAadAppClientSecret string
param botDisplayName string = 'Overt'
@description('The tenant of the council')
param tenantId string = subscription().tenantId

@description('Teams SSO: the API\'s audience (api://<host>/<client id>) and the SSO app\'s client id')
param ssoAudience string
@description('The Graph app registration (Sites.Selected, User.Read.All, GroupMember.Read.All)')
param graphClientId string
@secure()
param graphClientSecret string
@description('The SharePoint site holding Overt\'s lists, e.g. https://contoso.sharepoint.com/sites/overt')
param sharePointSite string
@description('The first administrator (Entra sign-in name or object id)')
param firstAdmin string
@description('The policy profile in force unless a team has its own')
param defaultProfile string = 'nottinghamshire-yjs'
@description('Reach approvers who never opened Overt by adding the app for them through Graph: on or off. On needs teamsAppId and the Graph app permissions TeamsAppInstallation.ReadWriteSelfForUser.All and AppCatalog.Read.All, with admin consent (README, Running it for your council).')
@allowed(['on', 'off'])
param botInstall string = 'off'
@description('The Teams app manifest id (TEAMS_APP_ID), how Overt finds itself in the app catalog to add itself.')
param teamsAppId string = ''

var serverfarmsName = resourceBaseName
var webAppName = resourceBaseName
var keyVaultName = '${resourceBaseName}-kv'
var port = '8080'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${resourceBaseName}-id'
  location: location
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  properties: {
    tenantId: tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
  }
}

resource botSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'bot-client-secret'
  properties: { value: botAadAppClientSecret }
}

resource graphSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'graph-client-secret'
  properties: { value: graphClientSecret }
}

// Key Vault Secrets User for the web app's identity.
resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: keyVault
  name: guid(keyVault.id, identity.id, '4633458b-17de-408a-b874-0445c86b69e6')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource serverfarm 'Microsoft.Web/serverfarms@2023-12-01' = {
  kind: 'app,linux'
  location: location
  name: serverfarmsName
  sku: { name: webAppSku, capacity: instanceCount }
  properties: { reserved: true }
}

var kv = (name string) => '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${name})'

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  kind: 'app,linux'
  location: location
  name: webAppName
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: serverfarm.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      alwaysOn: true
      http20Enabled: true
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      healthCheckPath: '/healthz'
      appCommandLine: 'npm run serve'
      appSettings: [
        { name: 'WEBSITES_PORT', value: port }
        { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'false' }
        { name: 'OVERT_LISTEN_HOST', value: '0.0.0.0' }
        { name: 'BOT_PORT', value: port }
        { name: 'TAB_PORT', value: port }
        { name: 'MicrosoftAppId', value: botAadAppClientId }
        { name: 'MicrosoftAppType', value: 'SingleTenant' }
        { name: 'MicrosoftAppTenantId', value: tenantId }
        { name: 'MicrosoftAppPassword', value: kv('bot-client-secret') }
        { name: 'OVERT_AUTH_AUDIENCE', value: ssoAudience }
        { name: 'OVERT_AUTH_TENANTS', value: tenantId }
        { name: 'OVERT_AUTH_STAFF_MAP', value: 'entra' }
        { name: 'OVERT_STORE', value: 'graph' }
        { name: 'OVERT_GRAPH_SITE', value: sharePointSite }
        { name: 'OVERT_TENANT_ID', value: tenantId }
        { name: 'OVERT_CLIENT_ID', value: graphClientId }
        { name: 'OVERT_CLIENT_SECRET', value: kv('graph-client-secret') }
        // The audit trail's signing key and checkpoints: on the app's own storage, never in the SharePoint site.
        { name: 'OVERT_AUDIT_KEY', value: '/home/overt-audit/signing-key.pem' }
        { name: 'OVERT_AUDIT_CHECKPOINTS', value: '/home/overt-audit/checkpoints.jsonl' }
        { name: 'OVERT_FIRST_ADMIN', value: firstAdmin }
        { name: 'OVERT_DEFAULT_PROFILE', value: defaultProfile }
        { name: 'OVERT_BOT_INSTALL', value: botInstall }
        { name: 'TEAMS_APP_ID', value: teamsAppId }
      ]
    }
  }
  dependsOn: [ secretsUser, botSecret, graphSecret ]
}

// The Azure Bot registration, as in Microsoft's template (infra/botRegistration/azurebot.bicep).
resource botService 'Microsoft.BotService/botServices@2022-09-15' = {
  kind: 'azurebot'
  location: 'global'
  name: resourceBaseName
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppId: botAadAppClientId
    msaAppTenantId: tenantId
    msaAppType: 'SingleTenant'
  }
  sku: { name: 'F0' }
}

resource botServiceMsTeamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: botService
  location: 'global'
  name: 'MsTeamsChannel'
  properties: { channelName: 'MsTeamsChannel' }
}

// The Toolkit writes these outputs to env/.env.<env> (names upper-cased).
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
output TAB_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
output KEY_VAULT_NAME string = keyVault.name
