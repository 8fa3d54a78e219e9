/**
 * Exports a clip of a screen recording as one MP4 without re-encoding: the init segment
 * and the fMP4 segments covering the range are written to a temporary file (each checked
 * against its catalogued SHA-256), ffmpeg remuxes them (`-c copy -movflags +faststart`)
 * into a regular MP4, and that file is streamed and deleted. The clip therefore starts and
 * ends on segment boundaries around the requested range. Exports cost disk and CPU, so
 * only a few run at once per process; the rest get 503.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { OBJECT_STORE } from '@sessionrec/runtime';
import type { ObjectStore } from '@sessionrec/storage';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { IntegrityError, ServiceUnavailableError } from '../http/api-errors';
import type { ObjectRef } from './object-streamer';

export class RemuxFailedError extends Error {
  override readonly name = 'RemuxFailedError';
}

export interface ExportedFile {
  readonly path: string;
  readonly size: number;
  /** Deletes the temporary files; call once the response is done. */
  readonly cleanup: () => Promise<void>;
}

const REMUX_TIMEOUT_MS = 10 * 60_000;

@Injectable()
export class ClipExporter {
  private readonly logger = new Logger('Export');
  private running = 0;

  constructor(
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** A slot for one export, or 503 when all are taken; call the result to release it. */
  acquire(): () => void {
    if (this.running >= this.config.API_MAX_EXPORTS) {
      throw new ServiceUnavailableError('too many exports are running; retry shortly');
    }
    this.running += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running -= 1;
    };
  }

  async exportMp4(init: ObjectRef, segments: readonly ObjectRef[]): Promise<ExportedFile> {
    const dir = await mkdtemp(path.join(tmpdir(), 'sessionrec-export-'));
    const cleanup = () => rm(dir, { recursive: true, force: true });
    try {
      const joined = path.join(dir, 'joined.mp4');
      const out = path.join(dir, 'clip.mp4');
      await this.concatenate([init, ...segments], joined);
      await this.remux(joined, out);
      const { size } = await stat(out);
      return { path: out, size, cleanup };
    } catch (err) {
      await cleanup();
      throw err;
    }
  }

  private async concatenate(refs: readonly ObjectRef[], file: string): Promise<void> {
    const sink = createWriteStream(file);
    try {
      for (const ref of refs) {
        const got = await this.store.get(ref.key);
        const hash = createHash('sha256');
        for await (const chunk of got.body) {
          hash.update(chunk as Buffer);
          if (!sink.write(chunk)) await once(sink, 'drain');
        }
        if (hash.digest('hex') !== ref.sha256) {
          this.logger.error(`export refused: ${ref.key} does not match its catalogued SHA-256`);
          throw new IntegrityError('a segment does not match its catalogued SHA-256');
        }
      }
    } finally {
      sink.end();
      await once(sink, 'close');
    }
  }

  private async remux(input: string, output: string): Promise<void> {
    const child = spawn(
      this.config.FFMPEG_PATH,
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-nostdin',
        '-i',
        input,
        '-map',
        '0',
        '-c',
        'copy',
        '-movflags',
        '+faststart',
        '-f',
        'mp4',
        output,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), REMUX_TIMEOUT_MS);
    try {
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
        (resolve, reject) => {
          child.once('error', reject);
          child.once('close', (c, s) => resolve([c, s]));
        },
      );
      if (code !== 0) {
        this.logger.error(`ffmpeg failed (${code ?? signal}): ${stderr.trim()}`);
        throw new RemuxFailedError(`ffmpeg exited with ${code ?? signal}`);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new ServiceUnavailableError('ffmpeg is not installed on the api host');
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The file as a stream that deletes it once done or aborted. */
  static stream(file: ExportedFile, onDone: () => void): NodeJS.ReadableStream {
    const body = createReadStream(file.path);
    body.once('close', () => {
      onDone();
      void file.cleanup();
    });
    return body;
  }
}
