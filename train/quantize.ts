/**
 * Weight quantisation in the tfjs weights-manifest format (`quantization` field),
 * which `tf.loadLayersModel` / `tf.loadGraphModel` dequantise on load.
 */

/** tfjs weights-manifest quantisation entry. */
export interface QuantizationSpec {
  dtype: 'uint8' | 'float16';
  scale?: number;
  min?: number;
}

/**
 * Affine uint8 quantisation over the whole tensor: v ≈ q·scale + min.
 *
 * @example
 * quantizeUint8(Float32Array.of(-1, 0, 1)); // { data: Uint8Array [0, 128, 255], scale: 2/255, min: -1 }
 */
export function quantizeUint8(values: Float32Array): { data: Uint8Array; scale: number; min: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min)) min = max = 0;
  const scale = max > min ? (max - min) / 255 : 1;
  const data = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = Math.max(0, Math.min(255, Math.round((values[i]! - min) / scale)));
  return { data, scale, min };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * Convert one float32 to IEEE half-precision bits (round to nearest even).
 *
 * @example
 * toFloat16Bits(1); // 0x3c00
 */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/**
 * Encode a float32 array as float16 bits.
 *
 * @example
 * quantizeFloat16(Float32Array.of(1, -2)); // Uint16Array [0x3c00, 0xc000]
 */
export function quantizeFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toFloat16Bits(values[i]!);
  return out;
}
