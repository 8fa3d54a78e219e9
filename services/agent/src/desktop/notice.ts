/**
 * Messages to the user on their display: the recording notice, an administrator's
 * message, a blocked transfer. Shown with Debian's `xmessage` (x11-utils), centred, until
 * dismissed or a minute has passed; never waited for.
 */
import { spawn } from 'node:child_process';

export function showNotice(display: string, text: string, timeoutSeconds = 60): void {
  // The text goes in on stdin: a message starting with "-" is not taken for an option.
  const child = spawn(
    'xmessage',
    [
      '-center',
      '-timeout',
      String(timeoutSeconds),
      '-buttons',
      'OK:0',
      '-default',
      'OK',
      '-file',
      '-',
    ],
    { env: { ...process.env, DISPLAY: display }, stdio: ['pipe', 'ignore', 'ignore'] },
  );
  child.on('error', () => undefined);
  child.stdin.on('error', () => undefined);
  child.stdin.end(text);
  child.unref();
}
