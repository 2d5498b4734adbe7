/**
 * A small client program typed by the types openapi-typescript generates from
 * the served /docs/json. The test copies it next to the generated `api.ts`,
 * typechecks it with tsc (strict), then runs it against the app.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './api';

type Callback = components['schemas']['CallbackView'];
type ErrorBody = components['schemas']['ErrorResponse'];

export async function flow(baseUrl: string, headers: Record<string, string>, phoneNumber: string) {
  const client = createClient<paths>({ baseUrl, headers });
  const scheduledAt = new Date(Date.now() + 3_600_000).toISOString();

  const created = await client.POST('/v1/callbacks', { body: { account: 'sim', phoneNumber, scheduledAt, notes: 'from the generated client', metadata: { ticket: 'T-1' } } });
  if (!created.data) throw new Error(`create failed: ${JSON.stringify(created.error)}`);
  const id: string = created.data.id;

  const got = await client.GET('/v1/callbacks/{id}', { params: { path: { id } } });
  const fetched: Callback | undefined = got.data;

  const cancelled = await client.POST('/v1/callbacks/{id}/cancel', { params: { path: { id } } });
  const again = await client.POST('/v1/callbacks/{id}/cancel', { params: { path: { id } } });
  const refusal: ErrorBody | undefined = again.error;

  const invalid = await client.POST('/v1/callbacks', { body: { account: 'sim', phoneNumber: 'not-a-number' } });
  const list = await client.GET('/v1/callbacks', { params: { query: { status: 'cancelled', limit: 10 } } });

  return {
    createdStatus: created.response.status,
    id,
    fetchedStatus: fetched?.status,
    fetchedNotes: fetched?.notes,
    cancelledStatus: cancelled.data?.status,
    againHttp: again.response.status,
    againCode: refusal?.error.code,
    againCurrentStatus: refusal?.error.currentStatus,
    invalidHttp: invalid.response.status,
    invalidField: invalid.error?.error.details[0]?.field,
    listedIds: list.data?.items.map((c) => c.id) ?? [],
  };
}
