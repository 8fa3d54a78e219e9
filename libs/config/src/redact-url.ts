/**
 * Connection strings such as DATABASE_URL carry passwords inside the URL; this masks them
 * wherever a URL-like string may reach a person (error messages, logs, health answers).
 */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]*):([^/\s@]*)@/gi;

/** Replaces the password of every `scheme://user:password@` in the text with `***`. */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1$2:***@');
}
