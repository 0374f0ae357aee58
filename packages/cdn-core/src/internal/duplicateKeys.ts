/**
 * JSON.parse keeps the last of two equal keys without a word; a strict reader must refuse them. This scans text that
 * JSON.parse has already accepted, so it only needs to tell keys from values and strings from the rest.
 */

interface Frame {
  readonly keys: Set<string> | undefined
  expectKey: boolean
}

/** The first key given twice in one object of `text` (valid JSON), or undefined. */
export const duplicateKey = (text: string): string | undefined => {
  const stack: Array<Frame> = []
  let i = 0
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      // A string: find its closing quote, skipping escaped ones.
      let end = i + 1
      for (;;) {
        end = text.indexOf('"', end)
        let backslashes = 0
        while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes += 1
        if (backslashes % 2 === 0) break
        end += 1
      }
      const top = stack[stack.length - 1]
      if (top?.keys !== undefined && top.expectKey) {
        const raw = text.slice(i + 1, end)
        const key = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw
        if (top.keys.has(key)) return key
        top.keys.add(key)
        top.expectKey = false
      }
      i = end + 1
      continue
    }
    if (c === 0x7b) stack.push({ keys: new Set(), expectKey: true })
    else if (c === 0x5b) stack.push({ keys: undefined, expectKey: false })
    else if (c === 0x7d || c === 0x5d) stack.pop()
    else if (c === 0x2c) {
      const top = stack[stack.length - 1]
      if (top?.keys !== undefined) top.expectKey = true
    }
    i += 1
  }
  return undefined
}
