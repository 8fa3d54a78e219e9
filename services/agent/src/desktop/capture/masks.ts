/**
 * Mask rectangles to drawbox slots. ffmpeg's filter graph is built once with a fixed
 * number of black drawbox filters (slots), disabled until used; a mask change becomes a
 * batch of filter commands. The batch first switches on the new boxes (in free slots),
 * and only then switches off the old ones, so a frame processed half-way through a batch
 * is masked at least as much as before or after it, never less.
 */

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Distinct masks kept apart; more are merged into bounding boxes (over-masking is safe). */
export const MAX_MASKS = 16;
/** Twice the masks, so a whole new set always finds free slots before the old goes. */
export const SLOT_COUNT = MAX_MASKS * 2;

export function slotFilterName(slot: number): string {
  return `drawbox@m${slot}`;
}

/**
 * Grows a rectangle outward to even coordinates: the encoder stores colour for 2×2 pixel
 * blocks, so an odd edge would leave half a block of the window's colour beside the mask.
 */
export function alignOutward(rect: Rect): Rect {
  const left = Math.floor(rect.x / 2) * 2;
  const top = Math.floor(rect.y / 2) * 2;
  const right = Math.ceil((rect.x + rect.width) / 2) * 2;
  const bottom = Math.ceil((rect.y + rect.height) / 2) * 2;
  return { x: left, y: top, width: right - left, height: bottom - top };
}

function union(a: Rect, b: Rect): Rect {
  const left = Math.min(a.x, b.x);
  const top = Math.min(a.y, b.y);
  const right = Math.max(a.x + a.width, b.x + b.width);
  const bottom = Math.max(a.y + a.height, b.y + b.height);
  return { x: left, y: top, width: right - left, height: bottom - top };
}

const area = (r: Rect) => r.width * r.height;
const sameRect = (a: Rect, b: Rect) =>
  a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;

/**
 * What to black out: empty rectangles dropped, the rest aligned, duplicates removed, and
 * at most MAX_MASKS, merging the pair whose bounding box adds the least area until it fits.
 */
export function normalizeMasks(masks: readonly Rect[]): Rect[] {
  const out: Rect[] = [];
  for (const mask of masks) {
    if (mask.width <= 0 || mask.height <= 0) continue;
    const aligned = alignOutward(mask);
    if (!out.some((r) => sameRect(r, aligned))) out.push(aligned);
  }
  while (out.length > MAX_MASKS) {
    let best = { i: 0, j: 1, cost: Number.POSITIVE_INFINITY };
    for (let i = 0; i < out.length; i += 1) {
      for (let j = i + 1; j < out.length; j += 1) {
        const cost = area(union(out[i]!, out[j]!)) - area(out[i]!) - area(out[j]!);
        if (cost < best.cost) best = { i, j, cost };
      }
    }
    const merged = union(out[best.i]!, out[best.j]!);
    out.splice(best.j, 1);
    out.splice(best.i, 1, merged);
  }
  return out;
}

/** One filter command: target filter, command, argument (the zmq filter's message). */
export interface FilterCommand {
  readonly target: string;
  readonly command: string;
  readonly arg: string;
}

export function formatCommand(command: FilterCommand): string {
  return `${command.target} ${command.command} ${command.arg}`;
}

/** The slots' state: the rectangle each enabled slot draws, null when switched off. */
export type SlotState = readonly (Rect | null)[];

export function emptySlots(): SlotState {
  return Array.from({ length: SLOT_COUNT }, () => null);
}

/** The slots that draw `masks` (already normalised) when the graph is first built. */
export function initialSlots(masks: readonly Rect[]): SlotState {
  return planMasks(emptySlots(), masks).slots;
}

export interface MaskPlan {
  readonly slots: SlotState;
  /** In order: new boxes placed and switched on, then boxes no longer wanted switched off. */
  readonly commands: readonly FilterCommand[];
}

export function planMasks(current: SlotState, masks: readonly Rect[]): MaskPlan {
  if (masks.length > MAX_MASKS) throw new RangeError(`at most ${MAX_MASKS} masks per plan`);
  const next: (Rect | null)[] = [...current];
  const placeCommands: FilterCommand[] = [];
  const retireCommands: FilterCommand[] = [];
  const kept = new Set<number>();
  const toPlace: Rect[] = [];
  for (const mask of masks) {
    const slot = current.findIndex((r, i) => r !== null && !kept.has(i) && sameRect(r, mask));
    if (slot >= 0) kept.add(slot);
    else toPlace.push(mask);
  }
  for (const mask of toPlace) {
    const slot = next.findIndex((r) => r === null);
    // Cannot happen with SLOT_COUNT = 2 × MAX_MASKS; a bug if it does.
    if (slot < 0) throw new Error('no free mask slot');
    next[slot] = mask;
    kept.add(slot);
    const target = slotFilterName(slot);
    placeCommands.push(
      { target, command: 'x', arg: String(mask.x) },
      { target, command: 'y', arg: String(mask.y) },
      { target, command: 'w', arg: String(mask.width) },
      { target, command: 'h', arg: String(mask.height) },
      { target, command: 'enable', arg: '1' },
    );
  }
  for (let slot = 0; slot < current.length; slot += 1) {
    if (current[slot] !== null && !kept.has(slot)) {
      next[slot] = null;
      retireCommands.push({ target: slotFilterName(slot), command: 'enable', arg: '0' });
    }
  }
  return { slots: next, commands: [...placeCommands, ...retireCommands] };
}
