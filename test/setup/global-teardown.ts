export default async function globalTeardown(): Promise<void> {
  // Servers belong to scripts/test.mjs, which stops them; databases die with them.
}
