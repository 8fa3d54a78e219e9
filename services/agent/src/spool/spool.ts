/**
 * The agent's disk spool: every request that carries recorded data is written here
 * (temp file, fsync, rename) before it is sent, and removed only once ingest has
 * acknowledged it, so a crash, restart or network loss never loses an item.
 * One directory per agent; the total size is bounded.
 */
import { mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import {
  type SpoolItem,
  type SpoolMeta,
  SpoolCorruptError,
  decodeItem,
  encodeItem,
} from './spool-item';

export class SpoolFullError extends Error {
  override readonly name = 'SpoolFullError';
  constructor(
    readonly dir: string,
    readonly usedBytes: number,
    readonly maxBytes: number,
    readonly itemBytes: number,
  ) {
    super(
      `spool ${dir} is full: ${usedBytes} of ${maxBytes} bytes used, cannot add ${itemBytes} more ` +
        '(ingest unreachable or too slow; raise --spool-max-mb or free space)',
    );
  }
}

const ITEM_SUFFIX = '.item';
const NAME = /^(\d{12})\.item$/;

export interface SpoolOptions {
  /** Directory of this agent's spool (created if missing). */
  readonly dir: string;
  readonly maxBytes: number;
  /**
   * fsync each item before it is sent (default). Only a load generator that simulates
   * thousands of sessions on one disk turns this off: a real agent must not lose what it
   * has taken from a session.
   */
  readonly fsync?: boolean;
  /**
   * Keep items in memory only: nothing is written, and a crash loses what was unsent.
   * Only for the simulator playing thousands of hosts as a load generator, where the
   * spool's file calls (not ingest) were the limit of what one machine could drive.
   */
  readonly memory?: boolean;
}

export class Spool {
  private usedBytes = 0;
  private nextOrder = 0;
  private readonly queueDir: string;
  private readonly tmpDir: string;

  private constructor(private readonly options: SpoolOptions) {
    this.queueDir = path.join(options.dir, 'queue');
    this.tmpDir = path.join(options.dir, 'tmp');
  }

  /** Opens (or creates) a spool and returns it with every item left by an earlier run, in order. */
  static async open(options: SpoolOptions): Promise<{ spool: Spool; recovered: SpoolItem[] }> {
    const spool = new Spool(options);
    if (options.memory) return { spool, recovered: [] };
    await mkdir(spool.queueDir, { recursive: true, mode: 0o700 });
    // A temp file is an item whose write never finished: it was never sent, drop it.
    await rm(spool.tmpDir, { recursive: true, force: true });
    await mkdir(spool.tmpDir, { recursive: true, mode: 0o700 });
    const recovered: SpoolItem[] = [];
    for (const name of (await readdir(spool.queueDir)).sort()) {
      const match = NAME.exec(name);
      if (!match) continue;
      const order = Number(match[1]);
      const file = path.join(spool.queueDir, name);
      try {
        recovered.push(decodeItem(order, await readFile(file)));
      } catch (error) {
        if (!(error instanceof SpoolCorruptError)) throw error;
        await rename(file, `${file}.corrupt`);
        continue;
      }
      spool.nextOrder = order + 1;
    }
    spool.usedBytes = recovered.reduce((sum, item) => sum + item.size, 0);
    return { spool, recovered };
  }

  get dir(): string {
    return this.options.dir;
  }

  get bytes(): number {
    return this.usedBytes;
  }

  /** Durably adds an item; throws SpoolFullError instead of growing past the limit. */
  async put(meta: SpoolMeta, body: Uint8Array): Promise<SpoolItem> {
    const encoded = encodeItem(meta, body);
    if (this.usedBytes + encoded.length > this.options.maxBytes) {
      throw new SpoolFullError(
        this.options.dir,
        this.usedBytes,
        this.options.maxBytes,
        encoded.length,
      );
    }
    const order = this.nextOrder;
    this.nextOrder += 1;
    this.usedBytes += encoded.length;
    if (this.options.memory) return { order, meta, body: Buffer.from(body), size: encoded.length };
    const name = `${String(order).padStart(12, '0')}${ITEM_SUFFIX}`;
    const temp = path.join(this.tmpDir, name);
    try {
      const handle = await open(temp, 'w', 0o600);
      try {
        await handle.writeFile(encoded);
        if (this.options.fsync !== false) await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path.join(this.queueDir, name));
    } catch (error) {
      this.usedBytes -= encoded.length;
      await rm(temp, { force: true });
      throw error;
    }
    return { order, meta, body: Buffer.from(body), size: encoded.length };
  }

  /** Forgets an acknowledged (or permanently rejected) item. */
  async remove(item: SpoolItem): Promise<void> {
    if (this.options.memory) {
      this.usedBytes -= item.size;
      return;
    }
    const file = path.join(this.queueDir, `${String(item.order).padStart(12, '0')}${ITEM_SUFFIX}`);
    // One unlink (not stat + rm): a spool at thousands of items a second feels each call.
    const existed = await unlink(file).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    if (existed) this.usedBytes -= item.size;
  }
}
