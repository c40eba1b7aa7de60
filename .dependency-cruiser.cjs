/**
 * The layout's rules (docs/ARCHITECTURE.md), checked by dependency-cruiser in `npm test`
 * (test/architecture/layout.test.ts) and by `npm run layout`. Paths are from the repository root.
 */
/** Node's modules that reach outside the process: files, network, processes. */
const IO =
  '^(node:)?(fs|fs/promises|http|https|http2|net|tls|dgram|dns|child_process|cluster|worker_threads|os|path)$';
/** Teams and HTTP: the Bot Framework SDK, teams-js, the Graph client, Node's HTTP. */
const TEAMS_OR_HTTP =
  '(^|/)node_modules/(botbuilder|botframework-|@microsoft/teams-js|@microsoft/microsoft-graph-client|adaptivecards)|^(botbuilder|botframework-|@microsoft/teams-js|@microsoft/microsoft-graph-client|adaptivecards)';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No import cycles in src/: the service is composed in server/main.ts, not by import order.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'policy-imports-no-io',
      comment:
        'The policy core is pure: no files, network or clock, and nothing of the store, workflow or surfaces ' +
        '(the plain words of src/vocabulary, which imports nothing, are allowed). ' +
        'Only its file readers at the edge (load.ts: profile files; cases.ts: the case-file runner) read files.',
      severity: 'error',
      from: { path: '^src/policy/', pathNot: '^src/policy/(load|cases)\\.ts$|\\.spec\\.ts$' },
      to: { path: [IO, '^src/(?!policy/|vocabulary/|util/(deep-freeze|canonical-json)\\.ts$)'] },
    },
    {
      name: 'policy-core-reads-no-files',
      comment:
        'The evaluator and its schema never reach for the file readers (a type of their results is fine).',
      severity: 'error',
      from: { path: '^src/policy/', pathNot: '^src/policy/(load|cases)\\.ts$|\\.spec\\.ts$' },
      to: { path: '^src/policy/(load|cases)\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workflow-knows-no-teams-or-http',
      comment:
        'The use cases know the store interface and the policy; not the bot, the API, the server, ' +
        'a store adapter, Teams or HTTP.',
      severity: 'error',
      from: { path: '^src/workflow/' },
      to: {
        path: [
          TEAMS_OR_HTTP,
          '^(node:)?(http|https|http2|net)$',
          '^src/(bot|api|server|tab|cli|demo)/',
          '^src/store/(sqlite|graph)/',
          '^src/store/open\\.ts$',
        ],
      },
    },
    {
      name: 'botbuilder-only-in-bot',
      comment: 'The Bot Framework SDK stays behind the adapter in src/bot.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/bot/' },
      to: { path: '(^|/)node_modules/(botbuilder|botframework-)|^(botbuilder|botframework-)' },
    },
    {
      name: 'csv-only-through-the-writer',
      comment:
        'Every CSV is written by src/util/csv.ts, whose one cast defuses formula cells and quotes line breaks: ' +
        'an export writing CSV by itself would skip both.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/util/csv\\.ts$' },
      to: { path: '(^|/)node_modules/csv-stringify/|^csv-stringify' },
    },
    {
      name: 'bot-reaches-store-through-its-port',
      comment:
        'The bot calls the workflow (commands and queries) and renders what they return; it imports nothing of ' +
        'the store, not even a type (the shapes it renders come from src/workflow/queries). The one exception ' +
        'is its conversation-reference port (conversations.ts). The Graph client its Teams installs use is ' +
        'made by the composition (server/main.ts) and handed to it.',
      severity: 'error',
      from: { path: '^src/bot/', pathNot: '^src/bot/conversations\\.ts$' },
      to: { path: '^src/store/' },
    },
    {
      name: 'tab-reaches-data-through-the-api',
      comment:
        'The tab runs in the browser and reaches data only over /api/v1: from the rest of src it imports ' +
        'types only (the shapes the API sends), and nothing of the store, the bot, the server or Node.',
      severity: 'error',
      from: { path: '^src/tab/' },
      to: { path: '^src/', pathNot: '^src/(tab|vocabulary)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'tab-knows-no-store-or-server',
      severity: 'error',
      from: { path: '^src/tab/', pathNot: '^src/tab/build\\.ts$' },
      to: { path: ['^src/(store|bot|server|cli|demo|policy)/', IO] },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.json'] },
  },
};
