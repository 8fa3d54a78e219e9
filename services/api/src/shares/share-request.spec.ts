import { ValidationError } from '../http/api-errors';
import { MAX_CLIP_MS, shareRequest } from './share-request';
import { isWellFormedShareToken, newShareToken } from './share-token';

const NOW = Date.parse('2030-05-06T07:00:00Z');
const inOneDay = new Date(NOW + 86_400_000).toISOString();

function message(body: unknown): string {
  try {
    shareRequest(body, NOW);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('share requests', () => {
  it('accepts a clip with a future expiry', () => {
    expect(shareRequest({ from: 1000, to: 61_000, expiresAt: inOneDay }, NOW)).toEqual({
      fromMs: 1000,
      toMs: 61_000,
      expiresAt: new Date(inOneDay),
    });
  });

  it('names the field that is wrong', () => {
    expect(message({ from: 5000, to: 5000, expiresAt: inOneDay })).toMatch(/^body\.to:/);
    expect(message({ from: 0, to: MAX_CLIP_MS + 1, expiresAt: inOneDay })).toMatch(/^body\.to:/);
    expect(message({ from: -1, to: 5, expiresAt: inOneDay })).toMatch(/^body\.from:/);
    expect(message({ from: 0, to: 5, expiresAt: 'tomorrow' })).toMatch(/^body\.expiresAt:/);
    expect(message({ from: 0, to: 5, expiresAt: new Date(NOW - 1).toISOString() })).toMatch(
      /^body\.expiresAt: must be at least/,
    );
    expect(
      message({ from: 0, to: 5, expiresAt: new Date(NOW + 91 * 86_400_000).toISOString() }),
    ).toMatch(/^body\.expiresAt: a link lives at most 90 days/);
    expect(message({ from: 0, to: 5, expiresAt: inOneDay, recordingId: 'x' })).toMatch(/^body/);
    expect(message(null)).toMatch(/^body/);
  });

  it('makes well-formed, distinct tokens', () => {
    const a = newShareToken();
    expect(isWellFormedShareToken(a)).toBe(true);
    expect(a).not.toBe(newShareToken());
    expect(isWellFormedShareToken(`srt_${a.slice(4)}`)).toBe(false);
    expect(isWellFormedShareToken(`${a}x`)).toBe(false);
  });
});
