/**
 * Seeds a catalogue schema quickly with realistic data for the indexer benchmark: sessions
 * spread over 90 days for a few thousand users on hundreds of hosts, desktop and terminal
 * recordings, and ~10 events per session with window titles, command lines and file
 * names drawn from a vocabulary (so some words are common and some rare, as in life).
 * Deterministic (seeded PRNG) so runs are comparable.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { type CopyValue, copyRows } from './copy';

export interface SeedOptions {
  sessions: number;
  /** Mean events per session (the spread is uniform around it). */
  eventsPerSession: number;
  progress(text: string): void;
}

export interface SeedResult {
  sessions: number;
  events: number;
  /** Some seeded users, hosts and words, for the search mix. */
  sample: { users: string[]; hosts: string[]; words: string[] };
}

/** Small, fast, seeded PRNG (mulberry32). */
export class Random {
  constructor(private state: number) {}
  next(): number {
    let t = (this.state += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Skewed towards the first items (a few users and words are much more frequent). */
  skewed<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() ** 2.5 * items.length)]!;
  }
}

// 24 syllables, 2-3 per word: 14,400 possible words, of which the vocabulary takes 3000.
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ra',
  'te',
  'vu',
  'san',
  'dor',
  'pel',
  'qui',
  'zen',
  'bru',
  'fa',
  'ge',
  'hi',
  'jo',
  'nu',
  'po',
  'si',
  'tra',
  'wen',
  'xo',
  'yel',
  'cor',
];
const APPS = [
  { name: 'firefox', title: (w: string) => `${w} - Mozilla Firefox` },
  { name: 'libreoffice-calc', title: (w: string) => `${w}.xlsx - LibreOffice Calc` },
  { name: 'libreoffice-writer', title: (w: string) => `${w}.odt - LibreOffice Writer` },
  { name: 'thunderbird', title: (w: string) => `Re: ${w} - Mozilla Thunderbird` },
  { name: 'code', title: (w: string) => `${w}.ts - Visual Studio Code` },
  { name: 'gnome-terminal', title: (w: string) => `ops@${w}: ~` },
  { name: 'evince', title: (w: string) => `${w}.pdf` },
  { name: 'slack', title: (w: string) => `#${w} | Slack` },
];
const COMMANDS = [
  (w: string) => `ssh ${w}.internal`,
  (w: string) => `sudo systemctl restart ${w}`,
  (w: string) => `grep -r ${w} /var/log`,
  (w: string) => `psql -d ${w} -c "select count(*) from orders"`,
  (w: string) => `scp report-${w}.csv backup:/srv/`,
  (w: string) => `vim /etc/${w}.conf`,
  (w: string) => `kubectl logs deploy/${w}`,
];
const TYPES_DESKTOP = [
  'app.focus',
  'app.focus',
  'app.focus',
  'app.start',
  'clipboard.use',
  'idle.start',
  'idle.end',
  'usb.insert',
  'file.write.removable',
] as const;
const TYPES_TERMINAL = [
  'command.start',
  'command.start',
  'command.start',
  'privilege.use',
  'file.transfer',
  'shell.start',
] as const;

function words(random: Random, n: number): string[] {
  if (n * 2 > SYLLABLES.length ** 3)
    throw new RangeError(`at most ${SYLLABLES.length ** 3 / 2} words`);
  const out = new Set<string>();
  while (out.size < n) {
    out.add(Array.from({ length: random.int(2, 3) }, () => random.pick(SYLLABLES)).join(''));
  }
  return [...out];
}

interface EventSeed {
  type: string;
  app: string | null;
  title: string | null;
  commandLine: string | null;
  filePath: string | null;
  details: Record<string, string | number>;
}

function makeEvent(random: Random, terminal: boolean, vocab: readonly string[]): EventSeed {
  const w = random.skewed(vocab);
  if (terminal) {
    const type = random.pick(TYPES_TERMINAL);
    const commandLine = random.pick(COMMANDS)(w);
    const filePath = type === 'file.transfer' ? `/home/ops/${w}-${random.int(1, 99)}.tar.gz` : null;
    const details: Record<string, string | number> = { commandLine, pid: random.int(1000, 60000) };
    if (filePath) details.file = filePath;
    return { type, app: 'bash', title: null, commandLine, filePath, details };
  }
  const type = random.pick(TYPES_DESKTOP);
  const app = random.pick(APPS);
  const title = app.title(`${w} ${random.skewed(vocab)}`);
  const filePath = type === 'file.write.removable' ? `/media/usb0/${w}.csv` : null;
  const details: Record<string, string | number> = { app: app.name, windowTitle: title };
  if (filePath) details.path = filePath;
  if (type === 'usb.insert') details.vendor = random.pick(['SanDisk', 'Kingston', 'Samsung']);
  return { type, app: app.name, title, commandLine: null, filePath, details };
}

/**
 * The indexer's word summary (services/indexer/src/writes/event-row.ts `textWords`, lowercased
 * by PostgreSQL's lower(); the seed's text is ASCII, where toLowerCase is the same), and its
 * size limit (MAX_SESSION_WORDS in event.writer.ts).
 */
function textWords(text: string): string[] {
  return text.split(/\s+/u).filter((w) => w !== '');
}
const MAX_SESSION_WORDS = 16_384;

function searchText(e: EventSeed): string {
  const texts = new Set<string>();
  for (const v of [e.app, e.title, e.commandLine, e.filePath]) if (v) texts.add(v);
  for (const v of Object.values(e.details)) if (typeof v === 'string') texts.add(v);
  return [...texts].join(' \n ');
}

/** Fills `schema` (already migrated) with sessions, recordings, events and apps. */
export async function seedCatalogue(
  client: Client,
  schema: string,
  options: SeedOptions,
): Promise<SeedResult> {
  const random = new Random(42);
  const vocab = words(random, 3000);
  const users = Array.from({ length: 3000 }, (_, i) => `user${i}`);
  const hosts = Array.from({ length: 600 }, (_, i) => `host-${i}`);
  const groups = ['finance', 'engineering', 'support', 'sales', 'hr', 'admins', 'ops', 'legal'];
  const agents = hosts.map(() => randomUUID());
  const now = Date.now();
  const sessions: {
    id: string;
    terminal: boolean;
    start: number;
    recording: string;
    agent: string;
  }[] = [];
  options.progress('seed: sessions');
  await copyRows(
    client,
    `"${schema}".sessions`,
    [
      'session_id',
      'agent_id',
      'user_name',
      'groups',
      'host',
      'client_address',
      'protocol',
      'started_at',
      'start_seen',
      'ended_at',
      'end_reason',
      'apps',
      'event_types',
      'last_activity_at',
    ],
    (function* (): Generator<CopyValue[]> {
      for (let i = 0; i < options.sessions; i++) {
        const h = random.int(0, hosts.length - 1);
        const terminal = random.next() < 0.3;
        const start = now - random.int(0, 90 * 24 * 3600) * 1000;
        const id = randomUUID();
        sessions.push({ id, terminal, start, recording: randomUUID(), agent: agents[h]! });
        const end = new Date(start + random.int(60, 8 * 3600) * 1000).toISOString();
        yield [
          id,
          agents[h]!,
          random.skewed(users),
          [random.pick(groups)],
          hosts[h]!,
          `10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`,
          terminal ? 'terminal' : 'desktop',
          new Date(start).toISOString(),
          true,
          end,
          'logout',
          [],
          [],
          end,
        ];
      }
    })(),
  );
  options.progress('seed: recordings');
  await copyRows(
    client,
    `"${schema}".recordings`,
    [
      'recording_id',
      'session_id',
      'agent_id',
      'kind',
      'started_at',
      'start_reason',
      'stopped_at',
      'stop_reason',
    ],
    sessions.map((s) => [
      s.recording,
      s.id,
      s.agent,
      s.terminal ? 'terminal' : 'screen',
      new Date(s.start + 500).toISOString(),
      'policy',
      new Date(s.start + 60_000).toISOString(),
      'session-end',
    ]),
  );
  let events = 0;
  // Each session's word summary, as the indexer's event writer keeps it (session_words).
  const sessionWords = new Map<string, Set<string>>();
  const spread = Math.max(0, options.eventsPerSession - 1);
  await copyRows(
    client,
    `"${schema}".events`,
    [
      'event_id',
      'session_id',
      'recording_id',
      'type',
      'at',
      'offset_ms',
      'app',
      'title',
      'command_line',
      'file_path',
      'details',
      'search_text',
    ],
    (function* (): Generator<CopyValue[]> {
      for (const s of sessions) {
        const n = random.int(options.eventsPerSession - spread, options.eventsPerSession + spread);
        let offset = 0;
        for (let i = 0; i < n; i++) {
          offset += random.int(500, 120_000);
          const e = makeEvent(random, s.terminal, vocab);
          events += 1;
          let summary = sessionWords.get(s.id);
          if (!summary) sessionWords.set(s.id, (summary = new Set()));
          for (const w of textWords(searchText(e))) summary.add(w.toLowerCase());
          yield [
            randomUUID(),
            s.id,
            s.recording,
            e.type,
            new Date(s.start + offset).toISOString(),
            offset,
            e.app,
            e.title,
            e.commandLine,
            e.filePath,
            JSON.stringify(e.details),
            searchText(e),
          ];
        }
      }
    })(),
    (n) => options.progress(`seed: ${n} events`),
  );
  options.progress('seed: applications and event types per session');
  await client.query(
    `UPDATE "${schema}".sessions s SET event_types = t.types, apps = t.apps
       FROM (SELECT session_id, array_agg(DISTINCT type) AS types,
                    coalesce(array_agg(DISTINCT app) FILTER (WHERE app IS NOT NULL), '{}') AS apps
               FROM "${schema}".events GROUP BY session_id) t
      WHERE s.session_id = t.session_id`,
  );
  await client.query(
    `INSERT INTO "${schema}".session_apps (session_id, name, first_seen_at, last_seen_at, event_count)
     SELECT session_id, app, min(at), max(at), count(*) FROM "${schema}".events
      WHERE app IS NOT NULL GROUP BY session_id, app`,
  );
  options.progress('seed: word summaries per session');
  await copyRows(
    client,
    `"${schema}".session_words`,
    ['session_id', 'words'],
    (function* (): Generator<CopyValue[]> {
      for (const [sessionId, summary] of sessionWords) {
        const words = [...summary].join(' ');
        yield [sessionId, words.length > MAX_SESSION_WORDS ? null : words];
      }
    })(),
  );
  // A catalogue in service is vacuumed by autovacuum: without it the per-session UPDATE
  // above leaves every session row dead once and index-only scans fetch the heap.
  for (const table of ['sessions', 'events', 'session_apps', 'session_words']) {
    await client.query(`VACUUM (ANALYZE) "${schema}".${table}`);
  }
  return {
    sessions: sessions.length,
    events,
    sample: { users: users.slice(0, 50), hosts: hosts.slice(0, 50), words: vocab.slice(0, 200) },
  };
}
