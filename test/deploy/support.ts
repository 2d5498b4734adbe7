import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export const ROOT = resolve(__dirname, '..', '..');
export const CHART = join(ROOT, 'helm', 'callback-orchestrator');

export const read = (...p: string[]): string => readFileSync(join(ROOT, ...p), 'utf8');
export const readYaml = <T = any>(...p: string[]): T => parse(read(...p), { merge: true }) as T;

/** Files under dir (relative to ROOT), recursively. */
export function walk(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when the dotted path exists (the key is present, whatever its value). */
export function hasPath(obj: unknown, path: string[]): boolean {
  let cur: unknown = obj;
  for (const key of path) {
    if (!isPlainObject(cur) || !(key in cur)) return false;
    cur = cur[key];
  }
  return true;
}
