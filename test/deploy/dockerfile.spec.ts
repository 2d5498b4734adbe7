import { read } from './support';

interface Instruction { op: string; args: string }
interface Stage { from: string; name: string; instructions: Instruction[] }

/** A small Dockerfile parser: joins continuations, drops comments, splits stages. */
function parseDockerfile(text: string): { preamble: Instruction[]; stages: Stage[] } {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  for (const line of lines) {
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`unparsable line: ${line}`);
    const ins = { op: m[1].toUpperCase(), args: m[2].replace(/\s+/g, ' ') };
    if (ins.op === 'FROM') {
      const f = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!f) throw new Error(`bad FROM: ${ins.args}`);
      stages.push({ from: f[1], name: f[2] ?? String(stages.length), instructions: [] });
    } else if (stages.length) {
      stages[stages.length - 1].instructions.push(ins);
    } else {
      preamble.push(ins);
    }
  }
  return { preamble, stages };
}

describe('Dockerfile', () => {
  const { preamble, stages } = parseDockerfile(read('Dockerfile'));
  const stage = (name: string): Stage => {
    const s = stages.find((x) => x.name === name);
    if (!s) throw new Error(`no stage ${name}`);
    return s;
  };
  const ops = (s: Stage, op: string) => s.instructions.filter((i) => i.op === op).map((i) => i.args);
  const runtime = stages[stages.length - 1];

  it('has deps, build and runtime stages, runtime last', () => {
    const names = stages.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['deps', 'build', 'runtime']));
    expect(runtime.name).toBe('runtime');
    expect(stage('build').from).toBe('deps');
  });

  it('uses a Node 20 base image', () => {
    const arg = preamble.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='));
    expect(arg?.args).toMatch(/^NODE_IMAGE=node:20[.\-]/);
    for (const s of stages.filter((x) => x.name !== 'build')) expect(s.from).toBe('${NODE_IMAGE}');
  });

  it('installs with npm ci from the lockfile and builds with npm run build', () => {
    expect(ops(stage('deps'), 'COPY')).toContain('package.json package-lock.json ./');
    expect(ops(stage('deps'), 'RUN').join('\n')).toMatch(/npm ci\b(?!.*--omit=dev)/);
    const build = stage('build');
    expect(ops(build, 'RUN')).toContain('npm run build');
    expect(ops(build, 'ENV').join(' ')).toContain('PRISMA_SCHEMA_ENGINE_BINARY=/bin/true');
    expect(ops(stage('prod-deps'), 'RUN').join('\n')).toMatch(/npm ci --omit=dev/);
  });

  it('runtime holds only dist, migrations, package.json and production node_modules', () => {
    const copies = ops(runtime, 'COPY');
    expect(copies).toEqual(
      expect.arrayContaining([
        '--from=prod-deps /app/node_modules ./node_modules',
        '--from=build /app/dist ./dist',
        'prisma/migrations ./prisma/migrations',
        'package.json ./',
      ]),
    );
    expect(copies).toHaveLength(4);
    expect(copies.join('\n')).not.toMatch(/--from=(deps|build) \/app\/node_modules/);
  });

  it('runs as a non-root user', () => {
    const users = ops(runtime, 'USER');
    expect(users).toHaveLength(1);
    const [user] = users[0].split(':');
    expect(['root', '0']).not.toContain(user);
    expect(user).toMatch(/^(node|[1-9]\d*)$/);
  });

  it('runs tini as PID 1 and node dist/main.js as the command', () => {
    expect(ops(runtime, 'RUN').join('\n')).toMatch(/apt-get install .*\btini\b/);
    expect(JSON.parse(ops(runtime, 'ENTRYPOINT')[0])).toEqual(['/usr/bin/tini', '--']);
    expect(JSON.parse(ops(runtime, 'CMD')[0])).toEqual(['node', 'dist/main.js']);
    expect(ops(runtime, 'ENV').join(' ')).toMatch(/ROLE=all/);
    expect(ops(runtime, 'EXPOSE')).toEqual(['3000']);
  });

  it('health-checks /health/live with node itself, not curl or wget', () => {
    const [hc] = ops(runtime, 'HEALTHCHECK');
    expect(hc).toBeDefined();
    const cmd = JSON.parse(hc.slice(hc.indexOf('CMD') + 3).trim());
    expect(cmd[0]).toBe('node');
    expect(cmd.join(' ')).toContain('/health/live');
    expect(read('Dockerfile')).not.toMatch(/\b(curl|wget)\b/);
  });

  it('has a .dockerignore that keeps node_modules, dist and secrets out of the context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', 'dist', '.git', '.env', 'src/generated']) expect(ignored).toContain(p);
    for (const needed of ['src', 'prisma', 'package.json', 'package-lock.json', 'tsconfig.json']) {
      expect(ignored).not.toContain(needed);
    }
  });
});
