import { randomUUID } from 'node:crypto';
import { ValidationError } from './api-errors';
import { decode, segmentParams } from './validate';

describe('decode', () => {
  it('accepts sequence numbers from 0 to 10^7', () => {
    const recordingId = randomUUID();
    expect(decode(segmentParams, { recordingId, seq: '0' }, 'params')).toEqual({
      recordingId,
      seq: 0,
    });
    expect(decode(segmentParams, { recordingId, seq: '10000000' }, 'params').seq).toBe(1e7);
  });

  it.each(['-1', '01', '1.0', '1e3', '10000001', '', '../x'])(
    'refuses the sequence %j naming the field',
    (seq) => {
      let caught: unknown;
      try {
        decode(segmentParams, { recordingId: randomUUID(), seq }, 'params');
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      const body = (caught as ValidationError).getResponse() as { error: { message: string } };
      expect(body.error.message).toMatch(/^params\.seq: /);
    },
  );
});
