/**
 * What reached the emulator: one entry per API request, so a test can prove what was sent and what was not.
 */

/** One API request as the emulator saw and answered it. */
export interface RequestLogEntry {
  readonly at: string
  readonly method: string
  readonly path: string
  /** Decoded query parameters (first value per name). */
  readonly query: Readonly<Record<string, string>>
  /** The `x-azurecdn-request-date` it carried: a retried request must carry a new one. */
  readonly date: string | null
  /** The key ID the request named, if it named one. */
  readonly keyId: string | null
  /** Whether the date and signature held; false too when they were missing. */
  readonly signatureValid: boolean
  readonly status: number
  /** The error type answered, the fault injected (`drop`, `html`, `truncate`), or `abandoned` by the caller. */
  readonly outcome: string
  readonly correlationId: string
  /** The `User-Agent` it carried, if any: who sent it. */
  readonly userAgent: string | null
}

/** A bounded log: the oldest entries go first. */
export class RequestLog {
  private entries: Array<RequestLogEntry> = []

  constructor(private readonly limit: number) {}

  add(entry: RequestLogEntry): void {
    this.entries.push(entry)
    // Trim in batches so that a busy emulator does not shift the array on every request.
    if (this.entries.length >= this.limit * 2) this.entries = this.entries.slice(-this.limit)
  }

  all(): ReadonlyArray<RequestLogEntry> {
    return this.entries.length > this.limit ? this.entries.slice(-this.limit) : this.entries
  }

  clear(): void {
    this.entries = []
  }
}
