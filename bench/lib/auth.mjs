// The one place the bench builds request headers for /v1. Every load generator
// and helper spreads these into its requests, so when /v1 needs an API key
// (issue 8) only this function changes: mint a key here and return its header.
/**
 * @param {{ apiUrl: string, databaseUrl: string }} _ctx where the API under test runs
 * @returns {Promise<Record<string, string>>}
 */
export async function benchAuthHeaders(_ctx) {
  return {};
}
