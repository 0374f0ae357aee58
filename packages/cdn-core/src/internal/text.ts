/**
 * What text read from a request may not hold: C0 control characters and DEL anywhere (they split headers and log
 * lines), and, where a value is a URL or a path, whitespace of any kind.
 */

/** True when `text` holds a C0 control character (U+0000–U+001F) or DEL. */
export const hasControl = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || code === 0x7f) return true
  }
  return false
}

/** True when `text` holds a control character, DEL, or whitespace of any kind (a space, U+3000, …). */
export const hasControlOrSpace = (text: string): boolean => hasControl(text) || /\s/u.test(text)
