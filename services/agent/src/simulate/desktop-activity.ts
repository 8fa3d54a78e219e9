/**
 * What a desktop user does between two event batches: open and switch applications,
 * copy and paste, go idle, now and then plug in a USB stick and copy a file to it.
 */
import type { Random } from '../random';
import type { TimelineEvent } from '../media/asciicast';
import { DESKTOP_APPS } from './catalogue';

type App = (typeof DESKTOP_APPS)[number];

export class DesktopActivity {
  private readonly running = new Map<string, number>();
  private idleUntil = -1;
  private usbInserted = false;

  constructor(private readonly random: Random) {}

  /** Events that happen at `atMs` (session time). Never empty unless the user is idle. */
  step(atMs: number): TimelineEvent[] {
    const random = this.random;
    if (atMs < this.idleUntil) return [];
    const events: TimelineEvent[] = [];
    if (this.idleUntil >= 0) {
      events.push({ atMs, type: 'idle.end', attributes: {} });
      this.idleUntil = -1;
    }
    if (this.running.size === 0 || random.chance(0.05))
      events.push(...this.start(atMs, random.pick(DESKTOP_APPS)));
    const roll = random.next();
    if (roll < 0.7) {
      const app = this.runningApp();
      events.push({
        atMs,
        type: 'app.focus',
        attributes: {
          app: app.name,
          pid: this.running.get(app.name) ?? null,
          windowTitle: random.pick(app.titles),
        },
      });
    } else if (roll < 0.85) {
      events.push({
        atMs,
        type: 'clipboard.use',
        attributes: { operation: random.pick(['copy', 'paste']), bytes: random.int(4, 4000) },
      });
    } else if (roll < 0.88 && !this.usbInserted) {
      this.usbInserted = true;
      events.push({
        atMs,
        type: 'usb.insert',
        attributes: {
          vendor: 'SanDisk',
          product: 'Cruzer Blade',
          serial: `4C53${random.int(100000, 999999)}`,
          mountPoint: '/media/usb0',
        },
      });
    } else if (roll < 0.92 && this.usbInserted) {
      events.push({
        atMs,
        type: 'file.write.removable',
        attributes: {
          path: `/media/usb0/${random.pick(['Q3-forecast.xlsx', 'customers.csv', 'notes.txt'])}`,
          bytes: random.int(1000, 5_000_000),
        },
      });
      if (random.chance(0.5)) {
        this.usbInserted = false;
        events.push({ atMs, type: 'usb.remove', attributes: { mountPoint: '/media/usb0' } });
      }
    } else if (roll < 0.923) {
      this.idleUntil = atMs + random.int(10_000, 40_000);
      events.push({ atMs, type: 'idle.start', attributes: {} });
    } else {
      const app = this.runningApp();
      events.push({
        atMs,
        type: 'app.focus',
        attributes: {
          app: app.name,
          pid: this.running.get(app.name) ?? null,
          windowTitle: random.pick(app.titles),
        },
      });
    }
    return events;
  }

  private start(atMs: number, app: App): TimelineEvent[] {
    if (this.running.has(app.name)) return [];
    const pid = this.random.int(2000, 60000);
    this.running.set(app.name, pid);
    return [{ atMs, type: 'app.start', attributes: { app: app.name, pid, commandLine: app.path } }];
  }

  private runningApp(): App {
    const names = [...this.running.keys()];
    const name = this.random.pick(names);
    return DESKTOP_APPS.find((app) => app.name === name)!;
  }
}
