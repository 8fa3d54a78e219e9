/**
 * Every kind of event a session host reports, with what it means. The type is also the
 * tail of the event's subject (`event.<type>`), so a SIEM can filter by category
 * (`sessionrec.event.file.>`).
 */
export const EVENT_TYPES = {
  /** A session started or ended (also sent as session.* lifecycle messages). */
  'session.start': 'Session started',
  'session.end': 'Session ended',
  'session.lock': 'Session locked (by the user, idle policy or a response)',
  'session.unlock': 'Session unlocked',
  /** A login outside the hours a policy allows. */
  'login.outside-hours': 'Login outside allowed hours',
  'app.start': 'Application started (name, pid, command line)',
  'app.stop': 'Application stopped',
  'app.focus': 'Focused application or window title changed',
  /** bash, sh, zsh, PowerShell, cmd and interpreters started in the session. */
  'shell.start': 'Command shell or interpreter started',
  'command.start': 'Command started in a terminal session (command line)',
  'privilege.use': 'Privilege use: sudo, su, pkexec',
  'usb.insert': 'USB mass-storage device inserted',
  'usb.remove': 'USB mass-storage device removed',
  'file.write.removable': 'File written to removable storage',
  'file.write.network': 'File written to network storage',
  'file.transfer': 'File transferred in or out of a terminal session (scp, sftp, rsync)',
  'clipboard.use': 'Clipboard copy or paste',
  'idle.start': 'User went idle',
  'idle.end': 'User active again',
  'recording.start': 'Recording started, and why',
  'recording.stop': 'Recording stopped, and why',
  'response.executed': 'A response action ran on the host',
} as const;

export type EventType = keyof typeof EVENT_TYPES;
export const EVENT_TYPE_NAMES = Object.keys(EVENT_TYPES) as [EventType, ...EventType[]];
