// Secrets must never reach logs, /ready bodies or error lines. Besides the
// settings marked secret in the schema (printed as <redacted>), a URL may
// carry credentials in its user info: a password, or a token used as the user
// name (as some receivers expect); a password may itself contain "@".

export const REDACTED = '<redacted>';

/** Everything between "scheme://" and the last "@" before the host: the user info. */
const URL_USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;

/** The text with the user info of every URL in it replaced by <redacted>. */
export function redactUrls(text: string): string {
  return text.replace(URL_USER_INFO, `$1${REDACTED}@`);
}
