// Three tiers. unit: pure logic, no servers. integration: real Postgres + Redis.
// e2e: the HTTP app with real Postgres, Redis and fake vendor servers.
// test/setup/global-setup.ts starts Postgres and Redis (or uses DATABASE_URL /
// REDIS_URL) for the integration and e2e tiers.
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    },
  ],
};
// A few dependencies ship ESM only (Node 20 loads them through require(esm); jest does not): compile them too.
const ESM_DEPS = ['content-disposition', 'jose'];
transform['^.+\\.js$'] = ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }];
const common = {
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_DEPS.join('|')})/)`],
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/deploy/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      setupFiles: ['<rootDir>/test/setup/env.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      setupFiles: ['<rootDir>/test/setup/env.ts'],
    },
    // Runs after e2e (scripts/test.mjs): reads the logs the e2e apps wrote.
    { ...common, displayName: 'audit', testMatch: ['<rootDir>/test/audit/**/*.spec.ts'] },
  ],
};
