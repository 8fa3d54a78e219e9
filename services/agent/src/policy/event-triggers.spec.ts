import { TriggerMatcher } from './event-triggers';

describe('TriggerMatcher', () => {
  const matcher = new TriggerMatcher({
    events: [
      { eventType: 'usb.insert' },
      { eventType: 'app.start', attributes: { app: '*keepass*' } },
    ],
    preEventMinutes: 2,
  });

  it('fires on a named event type', () => {
    expect(matcher.matches({ type: 'usb.insert', attributes: {} })).toBe(true);
    expect(matcher.matches({ type: 'usb.remove', attributes: {} })).toBe(false);
  });

  it('needs every attribute glob to match', () => {
    expect(matcher.matches({ type: 'app.start', attributes: { app: 'KeePassXC' } })).toBe(true);
    expect(matcher.matches({ type: 'app.start', attributes: { app: 'firefox' } })).toBe(false);
    expect(matcher.matches({ type: 'app.start', attributes: {} })).toBe(false);
    expect(matcher.matches({ type: 'app.start', attributes: { app: { x: 1 } } })).toBe(false);
  });

  it('reports the pre-event window in ms', () => {
    expect(matcher.preEventMs).toBe(120_000);
  });
});
