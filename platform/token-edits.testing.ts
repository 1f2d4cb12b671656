// For property tests of signed page tokens: a token with one character changed.

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

/**
 * `token` (base64url parts joined by ".") with the character at `at` replaced by
 * the `pick`th of base64url's alphabet or "." (both taken modulo), or undefined
 * when that is no change: the same character, or a replacement that decodes to the
 * same bytes (the spare low bits of a part's last character).
 */
export function oneCharacterEdit(token: string, at: number, pick: number): string | undefined {
  const i = at % token.length;
  const replacement = BASE64URL[pick % BASE64URL.length]!;
  if (replacement === token[i]) return undefined;
  const edited = token.slice(0, i) + replacement + token.slice(i + 1);
  const bytes = (t: string) => t.split(".").map((part) => Buffer.from(part, "base64url"));
  const [was, now] = [bytes(token), bytes(edited)];
  const same = was.length === now.length && was.every((b, n) => b.equals(now[n]!));
  return same ? undefined : edited;
}
