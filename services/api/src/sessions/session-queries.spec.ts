import { ValidationError } from '../http/api-errors';
import { eventsRequest, searchRequest } from './session-queries';

const sessionId = '6f1c1a52-3f55-4f0e-9a57-2a8b1f1d6c11';

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as Error).message;
  }
  throw new Error('expected a ValidationError');
}

describe('search query', () => {
  it('drops empty parameters and applies the default limit', () => {
    expect(searchRequest({ user: 'alice', host: '' })).toEqual({ v: 1, user: 'alice', limit: 25 });
  });

  it('reads open=true/false as a boolean and refuses anything else', () => {
    expect(searchRequest({ open: 'true' })).toEqual({ v: 1, open: true, limit: 25 });
    expect(searchRequest({ open: 'false' })).toEqual({ v: 1, open: false, limit: 25 });
    expect(messageOf(() => searchRequest({ open: 'yes' }))).toMatch(/^query\.open:/);
    expect(messageOf(() => searchRequest({ open: ['true', 'true'] }))).toMatch(/^query\.open:/);
  });

  it('names the parameter of a bad value', () => {
    expect(messageOf(() => searchRequest({ from: 'soon' }))).toMatch(/^query\.from:/);
    expect(messageOf(() => searchRequest({ limit: '-1' }))).toMatch(/^query\.limit:/);
    expect(messageOf(() => searchRequest({ user: ['a', 'b'] }))).toMatch(/^query\.user:/);
    expect(messageOf(() => searchRequest({ nope: '1' }))).toMatch(/^query:/);
  });
});

describe('events query', () => {
  it('maps from/to to offsets and splits types', () => {
    expect(
      eventsRequest(sessionId, { from: '5', types: ['app.start', 'idle.start,idle.end'] }),
    ).toEqual({
      v: 1,
      sessionId,
      fromMs: 5,
      types: ['app.start', 'idle.start', 'idle.end'],
      limit: 500,
    });
  });

  it('reports contract problems under the parameter the client sent', () => {
    expect(messageOf(() => eventsRequest(sessionId, { from: '10', to: '1' }))).toMatch(
      /^query\.from:/,
    );
  });
});
