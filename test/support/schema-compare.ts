/**
 * Compares a live Postgres schema with prisma/schema.prisma (through Prisma's
 * own DMMF parser) and lists every difference: tables, columns, types,
 * nullability, defaults, enums, indexes and foreign keys. Prisma's `migrate
 * diff` needs the schema engine, which cannot be downloaded here.
 */
import { getDMMF } from '@prisma/internals';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from 'pg';

/** Objects the migrations add that Prisma's schema language cannot express. */
export const EXTRA_INDEXES: Record<string, { table: string; columns: string[]; unique: boolean; predicate: string }> = {
  callback_intent_live_phone_key: {
    table: 'callback_intent',
    columns: ['account', 'phone_number'],
    unique: true,
    predicate: `(status = ANY (ARRAY['scheduled'::"IntentStatus", 'dispatching'::"IntentStatus"]))`,
  },
};

type Field = Awaited<ReturnType<typeof getDMMF>>['datamodel']['models'][number]['fields'][number];

function expectedType(f: Field): string {
  if (f.isList) return `${expectedType({ ...f, isList: false })}[]`;
  if (f.kind === 'enum') return `"${f.type}"`;
  const [native, args] = (f.nativeType as [string, string[]] | null | undefined) ?? [null, []];
  switch (f.type) {
    case 'String':
      if (native === 'Uuid') return 'uuid';
      if (native === 'VarChar') return `character varying(${args[0]})`;
      if (native === 'Char') return `character(${args[0]})`;
      return 'text';
    case 'Int':
      return 'integer';
    case 'BigInt':
      return 'bigint';
    case 'Boolean':
      return 'boolean';
    case 'Json':
      return 'jsonb';
    case 'DateTime':
      return native === 'Timestamptz' ? `timestamp(${args[0] ?? 3}) with time zone` : `timestamp(${args[0] ?? 3}) without time zone`;
    default:
      return `unsupported:${f.type}`;
  }
}

export async function schemaDifferences(db: Client, schemaPath = path.resolve(__dirname, '../../prisma/schema.prisma')): Promise<string[]> {
  const dmmf = await getDMMF({ datamodel: fs.readFileSync(schemaPath, 'utf8') });
  const diffs: string[] = [];
  const cols = (
    await db.query(`
      SELECT c.relname AS t, a.attname AS col, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull, d.adbin IS NOT NULL AS has_default
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> '_prisma_migrations'`)
  ).rows as { t: string; col: string; type: string; notnull: boolean; has_default: boolean }[];
  const idx = (
    await db.query(`
      SELECT i.relname AS name, t.relname AS t, ix.indisunique AS uniq, ix.indisprimary AS pk, pg_get_expr(ix.indpred, ix.indrelid) AS pred,
             array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS cols
      FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'`)
  ).rows as { name: string; t: string; uniq: boolean; pk: boolean; pred: string | null; cols: string[] }[];
  const enums = (
    await db.query(`SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS vals FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`)
  ).rows as { name: string; vals: string[] }[];
  const fks = (
    await db.query(`
      SELECT con.conname AS name, c.relname AS t, r.relname AS ref,
             array(SELECT a.attname FROM unnest(con.conkey) k(attnum) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum)::text[] AS cols
      FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_class r ON r.oid = con.confrelid WHERE con.contype = 'f'`)
  ).rows as { name: string; t: string; ref: string; cols: string[] }[];

  const tableOf = new Map(dmmf.datamodel.models.map((m) => [m.name, m.dbName ?? m.name]));
  const expectedTables = new Set(tableOf.values());
  for (const t of new Set(cols.map((c) => c.t))) if (!expectedTables.has(t)) diffs.push(`table ${t} is in the database but not in schema.prisma`);

  const expectedIndexNames = new Set(Object.keys(EXTRA_INDEXES));
  for (const m of dmmf.datamodel.models) {
    const table = m.dbName ?? m.name;
    const colName = new Map(m.fields.map((f) => [f.name, f.dbName ?? f.name]));
    const live = new Map(cols.filter((c) => c.t === table).map((c) => [c.col, c]));
    if (!live.size) diffs.push(`table ${table} is missing`);
    const scalar = m.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum');
    for (const f of scalar) {
      const name = colName.get(f.name)!;
      const c = live.get(name);
      if (!c) {
        diffs.push(`${table}.${name} is missing`);
        continue;
      }
      live.delete(name);
      if (c.type !== expectedType(f)) diffs.push(`${table}.${name} is ${c.type}, schema says ${expectedType(f)}`);
      if (c.notnull !== f.isRequired) diffs.push(`${table}.${name} nullability differs (db not null: ${c.notnull})`);
      if (c.has_default !== f.hasDefaultValue && !f.isUpdatedAt) diffs.push(`${table}.${name} default differs (db has default: ${c.has_default})`);
    }
    for (const extra of live.keys()) diffs.push(`${table}.${extra} is in the database but not in schema.prisma`);

    for (const f of m.fields.filter((x) => x.kind === 'object' && x.relationFromFields?.length)) {
      const want = f.relationFromFields!.map((n) => colName.get(n)!);
      const ref = tableOf.get(f.type)!;
      if (!fks.some((k) => k.t === table && k.ref === ref && k.cols.join() === want.join())) diffs.push(`foreign key ${table}(${want}) → ${ref} is missing`);
    }
  }
  for (const i of dmmf.datamodel.indexes) {
    const model = dmmf.datamodel.models.find((m) => m.name === i.model)!;
    const table = model.dbName ?? model.name;
    const colName = new Map(model.fields.map((f) => [f.name, f.dbName ?? f.name]));
    const want = i.fields.map((f) => colName.get(f.name)!);
    const found = idx.find((x) => x.t === table && (i.type === 'id' ? x.pk : i.dbName ? x.name === i.dbName : x.cols.join() === want.join() && !x.pk));
    if (!found) {
      diffs.push(`index ${i.dbName ?? i.type} on ${table}(${want}) is missing`);
      continue;
    }
    expectedIndexNames.add(found.name);
    if (found.cols.join() !== want.join()) diffs.push(`index ${found.name} covers (${found.cols}), schema says (${want})`);
    if (found.uniq !== (i.type !== 'normal')) diffs.push(`index ${found.name} uniqueness differs`);
  }
  for (const [name, want] of Object.entries(EXTRA_INDEXES)) {
    const found = idx.find((x) => x.name === name);
    if (!found) diffs.push(`index ${name} (from the migrations) is missing`);
    else if (found.t !== want.table || found.cols.join() !== want.columns.join() || found.uniq !== want.unique || found.pred !== want.predicate) {
      diffs.push(`index ${name} differs: ${JSON.stringify(found)}`);
    }
  }
  for (const x of idx) if (!expectedIndexNames.has(x.name)) diffs.push(`index ${x.name} is in the database but not in schema.prisma`);

  for (const e of dmmf.datamodel.enums) {
    const live = enums.find((x) => x.name === (e.dbName ?? e.name));
    const want = e.values.map((v) => v.dbName ?? v.name);
    if (!live) diffs.push(`enum ${e.name} is missing`);
    else if (live.vals.join() !== want.join()) diffs.push(`enum ${e.name} is (${live.vals}), schema says (${want})`);
  }
  return diffs;
}
