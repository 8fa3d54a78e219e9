import {
  MAX_MASKS,
  SLOT_COUNT,
  alignOutward,
  emptySlots,
  formatCommand,
  initialSlots,
  normalizeMasks,
  planMasks,
} from './masks';

describe('mask rectangles', () => {
  it('grows odd edges outward to even pixels so no half colour block of the window remains', () => {
    expect(alignOutward({ x: 101, y: 7, width: 10, height: 3 })).toEqual({
      x: 100,
      y: 6,
      width: 12,
      height: 4,
    });
    expect(alignOutward({ x: -3, y: 0, width: 5, height: 2 })).toEqual({
      x: -4,
      y: 0,
      width: 6,
      height: 2,
    });
  });

  it('drops empty rectangles and duplicates', () => {
    expect(
      normalizeMasks([
        { x: 0, y: 0, width: 0, height: 10 },
        { x: 10, y: 10, width: 20, height: 20 },
        { x: 10, y: 10, width: 20, height: 20 },
      ]),
    ).toEqual([{ x: 10, y: 10, width: 20, height: 20 }]);
  });

  it('merges the closest masks into bounding boxes beyond the slot budget, covering every input', () => {
    const input = Array.from({ length: 40 }, (_, i) => ({
      x: (i % 8) * 200,
      y: Math.floor(i / 8) * 150,
      width: 50,
      height: 40,
    }));
    const out = normalizeMasks(input);
    expect(out.length).toBe(MAX_MASKS);
    for (const r of input) {
      const covered = out.some(
        (m) =>
          m.x <= r.x &&
          m.y <= r.y &&
          m.x + m.width >= r.x + r.width &&
          m.y + m.height >= r.y + r.height,
      );
      expect(covered).toBe(true);
    }
  });
});

describe('mask plans', () => {
  it('places new masks in free slots and switches them on after their geometry is set', () => {
    const plan = planMasks(emptySlots(), [{ x: 10, y: 20, width: 30, height: 40 }]);
    expect(plan.commands.map(formatCommand)).toEqual([
      'drawbox@m0 x 10',
      'drawbox@m0 y 20',
      'drawbox@m0 w 30',
      'drawbox@m0 h 40',
      'drawbox@m0 enable 1',
    ]);
    expect(plan.slots[0]).toEqual({ x: 10, y: 20, width: 30, height: 40 });
  });

  it('keeps unchanged masks where they are and sends nothing for them', () => {
    const slots = initialSlots([{ x: 0, y: 0, width: 10, height: 10 }]);
    const plan = planMasks(slots, [{ x: 0, y: 0, width: 10, height: 10 }]);
    expect(plan.commands).toEqual([]);
    expect(plan.slots).toEqual(slots);
  });

  it('switches a moved window on at its new place before the old place goes off', () => {
    const slots = initialSlots([{ x: 0, y: 0, width: 10, height: 10 }]);
    const plan = planMasks(slots, [{ x: 50, y: 0, width: 10, height: 10 }]);
    const lines = plan.commands.map(formatCommand);
    expect(lines.indexOf('drawbox@m1 enable 1')).toBeLessThan(lines.indexOf('drawbox@m0 enable 0'));
    expect(lines[lines.length - 1]).toBe('drawbox@m0 enable 0');
    expect(plan.slots[0]).toBeNull();
  });

  it('always finds free slots when a full set of masks is replaced by another full set', () => {
    const first = Array.from({ length: MAX_MASKS }, (_, i) => ({
      x: i * 4,
      y: 0,
      width: 2,
      height: 2,
    }));
    const second = first.map((r) => ({ ...r, y: 100 }));
    let slots = initialSlots(first);
    for (let round = 0; round < 5; round += 1) {
      const plan = planMasks(slots, round % 2 === 0 ? second : first);
      expect(plan.slots.filter((s) => s !== null)).toHaveLength(MAX_MASKS);
      expect(plan.slots).toHaveLength(SLOT_COUNT);
      slots = plan.slots;
    }
  });

  it('clears every mask with an empty list', () => {
    const slots = initialSlots([
      { x: 0, y: 0, width: 10, height: 10 },
      { x: 20, y: 0, width: 10, height: 10 },
    ]);
    const plan = planMasks(slots, []);
    expect(plan.commands.map(formatCommand)).toEqual([
      'drawbox@m0 enable 0',
      'drawbox@m1 enable 0',
    ]);
    expect(plan.slots.every((s) => s === null)).toBe(true);
  });
});
