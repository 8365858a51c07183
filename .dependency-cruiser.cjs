// The layer rules of the monorepo, checked by `npx depcruise` in the test command
// (scripts/test.sh): a rule that breaks fails the run with the offending import named.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment:
        'core imports no I/O and no framework outside its testing/ and wiring/ entry points: it is embedded anywhere',
      severity: 'error',
      from: { path: '^packages/core/src/', pathNot: '^packages/core/src/(testing|wiring)/' },
      to: {
        dependencyTypesNot: ['type-only'],
        path: [
          '^(fs|node:fs|child_process|node:child_process|http|node:http|https|node:https|net|node:net|dgram|node:dgram|fs/promises|node:fs/promises)$',
          'node_modules/(koa|@koa|got|inversify|@inversifyjs|pino|koa-proxies|prom-client)/',
        ],
      },
    },
    {
      name: 'core-depends-on-no-workspace-package',
      severity: 'error',
      from: { path: '^packages/core/' },
      to: { path: '^packages/(?!core/)[^/]+/' },
    },
    {
      name: 'adapters-do-not-import-each-other',
      comment:
        'an adapter implements core ports; it never reaches into another adapter, the web layer or the CLI',
      severity: 'error',
      from: { path: '^packages/(adapter-[^/]+)/src/' },
      to: { path: '^packages/(?!core/)[^/]+/', pathNot: '^packages/$1/' },
    },
    {
      name: 'composition-sits-below-the-drivers',
      comment:
        'the graph, the settings and the file-backed adapters serve the server, the CLI and embedders alike: they never reach up into one of them',
      severity: 'error',
      from: { path: '^packages/composition/src/' },
      to: { path: '^packages/(http-koa|cli|fake-nextcloud|test-support)/' },
    },
    {
      name: 'the-cli-loads-the-web-layer-on-demand-only',
      comment:
        'every command but serve and demo runs without Koa: the CLI imports composition, and http-koa only by a dynamic import inside those two',
      severity: 'error',
      from: { path: '^packages/cli/src/' },
      to: { path: '^packages/http-koa/', dependencyTypesNot: ['dynamic-import'] },
    },
    {
      name: 'test-support-is-for-tests-and-the-bench',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/', pathNot: '^packages/test-support/' },
      to: { path: '^packages/test-support/' },
    },
    {
      name: 'fake-nextcloud-is-for-tests',
      comment:
        'the fake Nextcloud is loaded by tests and the CLI demo only, never by the server or an adapter',
      severity: 'error',
      from: { path: '^packages/(core|adapter-[^/]+|composition|http-koa)/src/' },
      to: { path: '^packages/fake-nextcloud/' },
    },
    {
      name: 'the-web-layer-does-not-import-the-cli',
      severity: 'error',
      from: { path: '^packages/http-koa/src/' },
      to: { path: '^packages/cli/' },
    },
    {
      name: 'examples-and-bench-use-public-entry-points',
      comment:
        "the embedding examples and the benchmark import packages by name, never a package's src or test (test-support, private, is its own source)",
      severity: 'error',
      from: { path: '^(examples|bench)/' },
      to: { path: '^packages/(?!test-support/)[^/]+/(src|test)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/' },
      // A cycle only through type imports is erased at compile time; a runtime cycle is not.
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    // Edges into packages and their builds are kept (the rules are about them); what lies beyond is not read.
    doNotFollow: { path: ['node_modules', '^packages/[^/]+/dist/'] },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'default'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
