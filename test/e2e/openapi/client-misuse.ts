/** Must NOT typecheck: proves the generated types constrain bodies, paths and results. */
import createClient from 'openapi-fetch';
import type { paths } from './api';

export async function misuse(baseUrl: string) {
  const client = createClient<paths>({ baseUrl });
  await client.POST('/v1/callbacks', { body: { account: 'sim' } }); // phoneNumber missing
  await client.GET('/v1/callbacks/{id}', { params: { path: {} } }); // id missing
  const r = await client.GET('/v1/callbacks/{id}', { params: { path: { id: 'x' } } });
  const n: number | undefined = r.data?.status; // status is a string enum
  return n;
}
