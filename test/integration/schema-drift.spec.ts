import { Client } from 'pg';
import { createTestDatabase } from '../support/db';
import { schemaDifferences } from '../support/schema-compare';

describe('migrations match schema.prisma', () => {
  let db: { url: string; drop: () => Promise<void> };
  let client: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  it('the migrated database has exactly the schema Prisma describes, plus the live-intent partial index', async () => {
    expect(await schemaDifferences(client)).toEqual([]);
  });

  it('notices drift: a changed type, a dropped index and an extra column are all reported', async () => {
    await client.query('ALTER TABLE callback_intent ALTER COLUMN notes TYPE varchar(10)');
    await client.query('DROP INDEX callback_intent_live_phone_key');
    await client.query('ALTER TABLE dispatch_attempt ADD COLUMN surprise int');
    const diffs = await schemaDifferences(client);
    expect(diffs).toEqual(
      expect.arrayContaining([
        expect.stringContaining('callback_intent.notes is character varying(10)'),
        expect.stringContaining('callback_intent_live_phone_key (from the migrations) is missing'),
        expect.stringContaining('dispatch_attempt.surprise is in the database'),
      ]),
    );
  });
});
