import { z } from 'zod';
import { defaultVar, envPort, optionalVar, envBoolean } from './env-var';
import { describeEnv, ENV_VARIABLES, envTableMarkdown } from './env-variables';

describe('ENV_VARIABLES', () => {
  it('lists every shared variable once, with description', () => {
    const names = ENV_VARIABLES.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining([
        'DATABASE_URL',
        'NATS_URL',
        'STORAGE_URL',
        'S3_ENDPOINT',
        'LOG_LEVEL',
        'HOST',
        'API_PORT',
        'RETENTION_PORT',
      ]),
    );
    for (const variable of ENV_VARIABLES) expect(variable.description).not.toBe('');
  });

  it('marks secrets', () => {
    const secrets = ENV_VARIABLES.filter((v) => v.secret).map((v) => v.name);
    expect(secrets.sort()).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'NATS_PASSWORD',
      'NATS_TOKEN',
      'NATS_USER',
      'SESSIONREC_ADMIN_PASSWORD',
    ]);
  });

  it('describes nested schemas with defaults as written in the environment', () => {
    const schema = z.object({
      group: z.object({ A_PORT: defaultVar(envPort, '80', { description: 'a' }) }),
      B_FLAG: optionalVar(envBoolean, { description: 'b', secret: true }),
    });
    expect(describeEnv(schema)).toEqual([
      { name: 'A_PORT', default: '80', description: 'a', secret: false },
      { name: 'B_FLAG', default: undefined, description: 'b', secret: true },
    ]);
  });

  it('renders a markdown table', () => {
    const table = envTableMarkdown([
      { name: 'X', default: 'a|b', description: 'd', secret: true },
    ]).split('\n');
    expect(table).toEqual([
      '| Variable | Default | Secret | Description |',
      '| --- | --- | --- | --- |',
      '| `X` | `a\\|b` | yes | d |',
    ]);
  });
});
