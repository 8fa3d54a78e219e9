import { isTransientInfrastructureError } from './transient-errors';

describe('isTransientInfrastructureError', () => {
  it('recognises network and PostgreSQL availability errors, also wrapped by TypeORM', () => {
    expect(isTransientInfrastructureError({ code: 'ECONNREFUSED' })).toBe(true);
    expect(isTransientInfrastructureError({ code: '57P01' })).toBe(true);
    expect(isTransientInfrastructureError({ driverError: { code: '53300' } })).toBe(true);
    expect(isTransientInfrastructureError(new Error('Connection terminated unexpectedly'))).toBe(
      true,
    );
  });

  it('leaves programming and data errors alone', () => {
    expect(isTransientInfrastructureError({ code: '23505' })).toBe(false); // unique violation
    expect(isTransientInfrastructureError(new TypeError('x is undefined'))).toBe(false);
    expect(isTransientInfrastructureError(undefined)).toBe(false);
  });
});
