/** The body of `POST /sessions/{id}/actions`: what to do, and the text a user is shown. */
import { z } from 'zod';

export const SESSION_ACTIONS = ['lock', 'disconnect', 'logoff', 'notify'] as const;
export type SessionAction = (typeof SESSION_ACTIONS)[number];

// Control characters would let a message rewrite the user's terminal (escape sequences).
const shownText = z
  .string()
  .trim()
  .min(1)
  .max(1000)
  .refine((s) => ![...s].some(isControl), { message: 'must not contain control characters' });

function isControl(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  return (code < 0x20 && ch !== '\n' && ch !== '\t') || (code >= 0x7f && code <= 0x9f);
}

export const sessionActionBody = z
  .strictObject({ action: z.enum(SESSION_ACTIONS), message: shownText.optional() })
  .refine((b) => b.action !== 'notify' || b.message !== undefined, {
    message: 'a notify action needs a message',
    path: ['message'],
  });
