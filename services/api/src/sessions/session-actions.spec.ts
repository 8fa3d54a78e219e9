import { sessionActionBody } from './session-actions';

describe('session action bodies', () => {
  it('accepts the four actions, a message optional except for notify', () => {
    expect(sessionActionBody.parse({ action: 'lock' })).toEqual({ action: 'lock' });
    expect(sessionActionBody.parse({ action: 'notify', message: ' Saving your work? ' })).toEqual({
      action: 'notify',
      message: 'Saving your work?',
    });
    expect(sessionActionBody.safeParse({ action: 'notify' }).error?.issues[0]?.path).toEqual([
      'message',
    ]);
  });

  it('refuses unknown actions, extra fields and terminal escape sequences', () => {
    expect(sessionActionBody.safeParse({ action: 'reboot' }).success).toBe(false);
    expect(sessionActionBody.safeParse({ action: 'lock', force: true }).success).toBe(false);
    expect(
      sessionActionBody.safeParse({ action: 'notify', message: 'hi\u001b[2Jgone' }).success,
    ).toBe(false);
    expect(
      sessionActionBody.safeParse({ action: 'notify', message: 'x'.repeat(1001) }).success,
    ).toBe(false);
  });
});
