/**
 * USB mass storage coming and going, from the kernel's list of block devices
 * (/sys/block, polled every 2 s; readable by any user, no udev rule needed). A disk is
 * USB mass storage when its sysfs device path runs through a USB bus, or when the
 * kernel marks it removable. Vendor, model and size come from the same directory.
 */
import { readFile, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';

export interface UsbDisk {
  readonly device: string;
  readonly vendor?: string;
  readonly model?: string;
  readonly sizeBytes?: number;
}

const text = (file: string) =>
  readFile(file, 'utf8').then(
    (value) => value.trim(),
    () => undefined,
  );

/** The USB or removable disks listed under a /sys/block directory. */
export async function listUsbDisks(sysBlockDir: string): Promise<UsbDisk[]> {
  const names = await readdir(sysBlockDir).catch(() => [] as string[]);
  const disks: UsbDisk[] = [];
  for (const name of names) {
    if (/^(loop|ram|zram|dm-|md|nbd|sr)/.test(name)) continue;
    const dir = path.join(sysBlockDir, name);
    const real = await realpath(dir).catch(() => dir);
    const removable = (await text(path.join(dir, 'removable'))) === '1';
    if (!removable && !real.includes('/usb')) continue;
    const [vendor, model, sectors] = await Promise.all([
      text(path.join(dir, 'device', 'vendor')),
      text(path.join(dir, 'device', 'model')),
      text(path.join(dir, 'size')),
    ]);
    const size = Number(sectors);
    disks.push({
      device: name,
      ...(vendor ? { vendor } : {}),
      ...(model ? { model } : {}),
      ...(Number.isFinite(size) && size > 0 ? { sizeBytes: size * 512 } : {}),
    });
  }
  return disks;
}

export class UsbWatcher {
  private known = new Map<string, UsbDisk>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sysBlockDir: string,
    private readonly onInsert: (disk: UsbDisk) => void,
    private readonly onRemove: (disk: UsbDisk) => void,
    private readonly pollMs = 2000,
  ) {}

  /** Reads the devices present now (reported as inserted: they are in the session), then polls. */
  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.pollMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async poll(): Promise<void> {
    const now = new Map((await listUsbDisks(this.sysBlockDir)).map((d) => [d.device, d]));
    for (const [device, disk] of this.known) if (!now.has(device)) this.onRemove(disk);
    for (const [device, disk] of now) if (!this.known.has(device)) this.onInsert(disk);
    this.known = now;
  }
}
