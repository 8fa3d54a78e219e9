// Static checks of deploy/Dockerfile and .dockerignore: a pinned multi-stage build that
// ships production dependencies only and runs as an unprivileged user.
import { readRepoFile } from './repo';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
function instructions(source: string): Instruction[] {
  return source
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

const all = instructions(readRepoFile('deploy/Dockerfile'));
/** Build arguments declared before the first FROM, with their defaults. */
const globalArgs = new Map(
  all
    .slice(
      0,
      all.findIndex((i) => i.keyword === 'FROM'),
    )
    .filter((i) => i.keyword === 'ARG')
    .map((i) => {
      const [name = '', value = ''] = i.args.split('=');
      return [name, value] as const;
    }),
);
const froms = all.filter((i) => i.keyword === 'FROM');

function stage(name: string): Instruction[] {
  const start = all.findIndex((i) => i.keyword === 'FROM' && i.args.endsWith(` AS ${name}`));
  if (start === -1) throw new Error(`no stage ${name}`);
  const rest = all.slice(start + 1);
  const end = rest.findIndex((i) => i.keyword === 'FROM');
  return end === -1 ? rest : rest.slice(0, end);
}

function runText(instrs: Instruction[]): string {
  return instrs
    .filter((i) => i.keyword === 'RUN')
    .map((i) => i.args)
    .join('\n');
}

const runtime = stage('runtime');

describe('deploy/Dockerfile', () => {
  it('is a multi-stage build ending in a runtime stage', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(froms.at(-1)?.args).toMatch(/ AS runtime$/);
  });

  it('pins every base image to a full Node version on Debian slim', () => {
    for (const from of froms) {
      const image = from.args
        .split(' ')[0]!
        .replace(/^\$\{(\w+)\}$/, (_m, arg: string) => globalArgs.get(arg) ?? '');
      expect(image).toMatch(/^node:(20|22|24)\.\d+\.\d+-bookworm-slim$/);
    }
  });

  it('installs from the lockfile, builds, and prunes dev dependencies', () => {
    const build = runText(stage('build'));
    expect(build).toMatch(/npm ci\b/);
    expect(build).toMatch(/npm run build\b/);
    expect(build).toMatch(/npm prune --omit=dev\b/);
  });

  it('copies only build output into the runtime stage', () => {
    const copies = runtime.filter((i) => i.keyword === 'COPY');
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(copy.args).toMatch(/--from=build\b/);
  });

  it('runs as a non-root user with an init process', () => {
    const users = runtime.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(runtime.find((i) => i.keyword === 'ENTRYPOINT')?.args).toContain('tini');
  });

  it('installs ffmpeg for the api and binds to all interfaces', () => {
    expect(runText(runtime)).toMatch(/apt-get install[^\n]*\bffmpeg\b/);
    expect(runtime.find((i) => i.keyword === 'ENV')?.args).toMatch(/HOST=0\.0\.0\.0/);
  });

  it('starts the api by default, overridable per service', () => {
    expect(runtime.find((i) => i.keyword === 'CMD')?.args).toBe(
      '["node", "services/api/dist/main.js"]',
    );
  });
});

describe('.dockerignore', () => {
  const ignored = readRepoFile('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

  it('keeps host build output and local state out of the build context', () => {
    for (const entry of [
      '.git',
      '**/node_modules',
      '**/dist',
      'data',
      'bench/results',
      'test-artifacts',
    ]) {
      expect(ignored).toContain(entry);
    }
  });
});
