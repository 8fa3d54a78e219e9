/**
 * Time windows are wall-clock ranges in their own zone: an instant is converted to the
 * zone's local weekday and minute with Intl, so daylight-saving changes need no special
 * case (a skipped hour never matches, a repeated hour matches twice).
 */
import type { TimeWindow, Weekday } from '@sessionrec/contracts';

const DAY_INDEX: Readonly<Record<string, number>> = {
  Mon: 0,
  Tue: 1,
  Wed: 2,
  Thu: 3,
  Fri: 4,
  Sat: 5,
  Sun: 6,
};
const WEEKDAY_INDEX: Readonly<Record<Weekday, number>> = {
  mon: 0,
  tue: 1,
  wed: 2,
  thu: 3,
  fri: 4,
  sat: 5,
  sun: 6,
};

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalTime {
  /** 0 = Monday. */
  readonly day: number;
  /** Minutes since local midnight. */
  readonly minute: number;
}

export function localTime(at: Date, timeZone: string): LocalTime {
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    if (part.type === 'weekday') day = DAY_INDEX[part.value] ?? 0;
    else if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { day, minute: hour * 60 + minute };
}

export interface CompiledWindow {
  readonly timeZone: string;
  readonly days: ReadonlySet<number>;
  readonly from: number;
  readonly to: number;
}

function minutes(hhmm: string): number {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

export function compileWindow(w: TimeWindow): CompiledWindow {
  return {
    timeZone: w.timeZone,
    days: new Set(w.days.map((d) => WEEKDAY_INDEX[d])),
    from: minutes(w.from),
    to: minutes(w.to),
  };
}

/** `from` inclusive, `to` exclusive; a window whose `to` is before `from` wraps midnight
 * and belongs to the day it starts on. */
export function inWindow(w: CompiledWindow, local: LocalTime): boolean {
  if (w.from < w.to) return w.days.has(local.day) && local.minute >= w.from && local.minute < w.to;
  if (local.minute >= w.from) return w.days.has(local.day);
  return local.minute < w.to && w.days.has((local.day + 6) % 7);
}
