/**
 * The api service's own settings: the first administrator's password, sign-in lifetimes
 * and limits, how long to wait for the indexer, and export limits. Defined here, beside
 * the shared groups, so the README's one table lists every variable the platform reads.
 */
import { z } from 'zod';
import { defaultVar, envEnum, envInteger, envString, optionalVar } from '../env-var';

export const apiEnv = z.object({
  SESSIONREC_ADMIN_PASSWORD: optionalVar(
    envString(/^.{12,256}$/s, 'must be 12 to 256 characters'),
    {
      description:
        'Password of the administrator `admin` created on first start (unset: a generated one is printed once)',
      secret: true,
    },
  ),
  API_SESSION_TTL_MINUTES: defaultVar(envInteger(5, 60 * 24 * 30), '720', {
    description: 'How long a sign-in (session token and cookie) stays valid',
  }),
  API_COOKIE_SECURE: defaultVar(envEnum(['auto', 'true', 'false']), 'auto', {
    description:
      'Secure flag of the session cookie: auto sets it when the request came over HTTPS (X-Forwarded-Proto)',
  }),
  API_LOGIN_MAX_FAILURES: defaultVar(envInteger(1, 1000), '5', {
    description: 'Failed sign-ins allowed per username and client address within the window',
  }),
  API_LOGIN_WINDOW_SECONDS: defaultVar(envInteger(1, 86_400), '300', {
    description: 'Window of the sign-in failure limit',
  }),
  API_CATALOG_TIMEOUT_MS: defaultVar(envInteger(100, 120_000), '5000', {
    description: 'How long the api waits for the indexer to answer a catalogue question (then 503)',
  }),
  API_MAX_EXPORTS: defaultVar(envInteger(1, 64), '2', {
    description: 'Clip exports one api process runs at once; more get 503',
  }),
  API_RETRY_AFTER_SECONDS: defaultVar(envInteger(1, 3600), '5', {
    description: 'Retry-After (seconds) sent with 503 answers',
  }),
  FFMPEG_PATH: defaultVar(envString(/^\S.{0,1023}$/, 'must be a command or path'), 'ffmpeg', {
    description: 'The ffmpeg binary used to remux exported clips (no re-encoding)',
  }),
});

export type ApiEnv = z.output<typeof apiEnv>;
