/**
 * Hashing for the manifest's `files`. The `precis-manifest@1` contract itself is defined
 * once, in src/model/manifest.ts, shared with the browser runtime.
 */
import { createHash } from 'node:crypto';

/**
 * sha256 hex digest of bytes.
 *
 * @example
 * sha256Hex(new TextEncoder().encode('abc')); // 'ba7816bf…'
 */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
