import { randomBytes } from 'node:crypto';

/**
 * One-time tokens that confirm a destructive call: the first call gets a token for one subject, the
 * second must bring it back within `ttlMs`. A token works once, for its subject only.
 */
export class ConfirmTokens {
  private readonly tokens = new Map<string, { subject: string; expires: number }>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  issue(subject: string): string {
    this.prune();
    const token = randomBytes(16).toString('hex');
    this.tokens.set(token, { subject, expires: this.now() + this.ttlMs });
    return token;
  }

  /** True (and the token is spent) when it was issued for `subject` and has not expired. */
  consume(subject: string, token: string): boolean {
    this.prune();
    const entry = this.tokens.get(token);
    if (!entry || entry.subject !== subject) return false;
    this.tokens.delete(token);
    return true;
  }

  private prune(): void {
    const now = this.now();
    for (const [token, entry] of this.tokens) if (entry.expires <= now) this.tokens.delete(token);
  }
}
