/** Constant-time secret comparison. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares two secrets without leaking, through timing, where they differ or how long they are. */
export function sameSecret(given: string, expected: string): boolean {
  // Hashing first gives equal-length inputs, so the comparison time does not reveal the length.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
