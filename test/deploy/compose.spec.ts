import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, readYaml } from './support';

const asArgs = (cmd: string | string[]): string[] => (Array.isArray(cmd) ? cmd : cmd.split(/\s+/));
const seconds = (d: string): number => {
  const m = /^(\d+)(s|m)$/.exec(d);
  if (!m) throw new Error(`unexpected duration ${d}`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
};

describe('docker-compose.yml', () => {
  const compose = readYaml('docker-compose.yml');
  const svc = compose.services;

  it('declares postgres, redis, migrate, api and worker', () => {
    expect(Object.keys(svc).sort()).toEqual(['api', 'migrate', 'postgres', 'redis', 'worker']);
  });

  it('runs Postgres 15/16 with a pg_isready healthcheck and a volume', () => {
    expect(svc.postgres.image).toMatch(/^postgres:1[56]\b/);
    expect(asArgs(svc.postgres.healthcheck.test).join(' ')).toContain('pg_isready');
    expect(svc.postgres.volumes.join()).toContain('/var/lib/postgresql/data');
  });

  it('runs Redis 7 with AOF on, noeviction and hz 100, with a healthcheck', () => {
    expect(svc.redis.image).toMatch(/^redis:7\b/);
    const cmd = asArgs(svc.redis.command);
    expect(cmd[cmd.indexOf('--appendonly') + 1]).toBe('yes');
    expect(cmd[cmd.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
    // Delayed jobs fire on Redis's tick: at the default hz 10 up to 100 ms late (docs/BENCHMARKS.md).
    expect(cmd[cmd.indexOf('--hz') + 1]).toBe('100');
    expect(asArgs(svc.redis.healthcheck.test).join(' ')).toContain('redis-cli ping');
  });

  it('builds api, worker and migrate from one image', () => {
    const images = ['migrate', 'api', 'worker'].map((s) => svc[s].image);
    expect(new Set(images).size).toBe(1);
    for (const s of ['migrate', 'api', 'worker']) expect(svc[s].build).toBe('.');
  });

  it('runs migrations once, after Postgres is healthy', () => {
    expect(asArgs(svc.migrate.command)).toEqual(['node', 'dist/main.js', 'migrate']);
    expect(svc.migrate.restart).toBe('no');
    expect(svc.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it.each(['api', 'worker'])('%s waits for healthy stores and a completed migration', (name) => {
    expect(svc[name].depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    });
  });

  it('chooses the role by ROLE and leaves migrations to the migrate service', () => {
    expect(svc.api.environment.ROLE).toBe('api');
    expect(svc.worker.environment.ROLE).toBe('worker');
    for (const s of ['migrate', 'api', 'worker']) {
      const env = svc[s].environment;
      expect(env.DATABASE_URL).toMatch(/^postgresql:\/\/[^@]+@postgres:5432\//);
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      expect(env.MIGRATE_ON_BOOT).toBe('false');
    }
  });

  it('gives the worker more stop time than its shutdown grace', () => {
    const graceMs = Number(svc.worker.environment.SHUTDOWN_GRACE_MS ?? 25000);
    expect(seconds(svc.worker.stop_grace_period)).toBeGreaterThan(graceMs / 1000);
  });

  it('publishes the API (docs, Bull Board) on localhost:3000', () => {
    expect(svc.api.ports).toContain('3000:3000');
  });

  it('publishes no host port for the worker, so `--scale worker=N` works', () => {
    expect(svc.worker.ports).toBeUndefined();
  });

  it('mounts an accounts file that declares the simulator account', () => {
    const mount = svc.api.volumes.find((v: string) => v.includes(svc.api.environment.ACCOUNTS_FILE));
    expect(mount).toBeDefined();
    const hostPath = mount.split(':')[0];
    expect(existsSync(join(ROOT, hostPath))).toBe(true);
    expect(readYaml(hostPath)).toEqual({ accounts: [{ id: 'sim', vendor: 'simulator' }] });
    expect(svc.worker.volumes).toEqual(svc.api.volumes);
  });
});
