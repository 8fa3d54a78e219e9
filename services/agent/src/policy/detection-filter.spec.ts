import { DetectionFilter } from './detection-filter';

const settings = {
  v: 1 as const,
  policyVersion: 3,
  ruleId: 'default',
  events: ['usb.insert' as const, 'app.focus' as const],
  options: {
    removableMountPoints: [],
    networkMountPoints: [],
    idleThresholdSeconds: 300,
    captureCommandLines: false,
    captureWindowTitles: false,
  },
};

describe('DetectionFilter', () => {
  it('reports everything while no policy is known', () => {
    const filter = new DetectionFilter();
    expect(filter.reports('clipboard.use')).toBe(true);
    expect(filter.redact({ windowTitle: 'x' })).toEqual({ windowTitle: 'x' });
  });

  it('reports the listed types and those the platform always needs', () => {
    const filter = new DetectionFilter(settings);
    expect(filter.reports('usb.insert')).toBe(true);
    expect(filter.reports('recording.start')).toBe(true);
    expect(filter.reports('clipboard.use')).toBe(false);
  });

  it('leaves out command lines and window titles when they are not captured', () => {
    const filter = new DetectionFilter(settings);
    expect(
      filter.redact({ app: 'code', windowTitle: 'secret.txt', commandLine: 'code x' }),
    ).toEqual({
      app: 'code',
    });
  });
});
