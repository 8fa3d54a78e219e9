/**
 * The search filters live in the page URL (deep links: a copied address reopens the same
 * search). This module converts between the URL, the form and the api query.
 */
export const FILTER_KEYS = ['user', 'host', 'app', 'event', 'q', 'from', 'to'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type SearchFilters = Partial<Record<FilterKey, string>>;

/** The filters a URL holds; unknown parameters and empty values are ignored. */
export function filtersFromUrl(search: URLSearchParams): SearchFilters {
  const filters: SearchFilters = {};
  for (const key of FILTER_KEYS) {
    const value = search.get(key)?.trim();
    if (value) filters[key] = value;
  }
  return filters;
}

export function filtersToUrl(filters: SearchFilters): URLSearchParams {
  const search = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key]?.trim();
    if (value) search.set(key, value);
  }
  return search;
}

/**
 * `<input type="datetime-local">` speaks local wall time without a zone ("2030-05-06T07:00");
 * the URL and the api speak ISO-8601 instants. Undefined for anything unparseable.
 */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

export function isoToLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return '';
  const local = new Date(time.getTime() - time.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** The api query for the filters, a page cursor and a page size. */
export function apiSearchParams(filters: SearchFilters, cursor?: string, limit = 25): string {
  const search = filtersToUrl(filters);
  if (cursor) search.set('cursor', cursor);
  search.set('limit', String(limit));
  return search.toString();
}

/** `12:34` or `1:02:03` for a session offset in milliseconds. */
export function formatOffset(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}
