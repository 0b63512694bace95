/**
 * Unit-length vectors of one dimension, stored end to end in a single `Float32Array` by slot.
 * One contiguous buffer is what makes a brute-force scan of 100,000 × 384 floats fit in a few
 * tens of milliseconds: no per-document objects, no pointer chasing.
 */
export class VectorSlab {
  readonly dimensions: number;
  #data: Float32Array;
  #present: Uint8Array;
  #count = 0;

  constructor(dimensions: number, capacity = 64) {
    if (!Number.isInteger(dimensions) || dimensions < 1) throw new RangeError("Vectors need at least one dimension.");
    this.dimensions = dimensions;
    this.#data = new Float32Array(dimensions * capacity);
    this.#present = new Uint8Array(capacity);
  }

  /** Slots holding a vector. */
  get count(): number {
    return this.#count;
  }

  has(slot: number): boolean {
    return this.#present[slot] === 1;
  }

  /** Stores `vector` scaled to unit length (a zero vector is stored as zeros: it matches nothing). */
  set(slot: number, vector: ArrayLike<number>): void {
    if (vector.length !== this.dimensions) {
      throw new RangeError(`Expected a ${this.dimensions}-dimensional vector, got ${vector.length}.`);
    }
    this.#ensure(slot + 1);
    const scale = inverseNorm(vector);
    const offset = slot * this.dimensions;
    for (let index = 0; index < this.dimensions; index += 1) this.#data[offset + index] = (vector[index] ?? 0) * scale;
    if (this.#present[slot] !== 1) this.#count += 1;
    this.#present[slot] = 1;
  }

  clear(slot: number): void {
    if (this.#present[slot] !== 1) return;
    this.#present[slot] = 0;
    this.#data.fill(0, slot * this.dimensions, (slot + 1) * this.dimensions);
    this.#count -= 1;
  }

  /** A copy of the stored (unit-length) vector, or undefined. */
  get(slot: number): Float32Array | undefined {
    if (!this.has(slot)) return undefined;
    return this.#data.slice(slot * this.dimensions, (slot + 1) * this.dimensions);
  }

  /** Cosine similarity of two stored vectors. */
  similarity(a: number, b: number): number {
    const data = this.#data;
    const dimensions = this.dimensions;
    let sum = 0;
    for (let index = 0, x = a * dimensions, y = b * dimensions; index < dimensions; index += 1) {
      sum += (data[x + index] ?? 0) * (data[y + index] ?? 0);
    }
    return sum;
  }

  /**
   * Cosine similarity of `query` (unit length) with every slot below `slots`, written to `out`.
   * Slots without a vector get 0. The inner loop is unrolled by four, which V8 runs markedly faster.
   */
  scanAll(query: Float32Array, slots: number, out: Float32Array): void {
    const data = this.#data;
    const dimensions = this.dimensions;
    const tail = dimensions - (dimensions % 4);
    for (let slot = 0; slot < slots; slot += 1) {
      if (this.#present[slot] !== 1) {
        out[slot] = 0;
        continue;
      }
      const offset = slot * dimensions;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let index = 0;
      for (; index < tail; index += 4) {
        s0 += data[offset + index] * query[index];
        s1 += data[offset + index + 1] * query[index + 1];
        s2 += data[offset + index + 2] * query[index + 2];
        s3 += data[offset + index + 3] * query[index + 3];
      }
      for (; index < dimensions; index += 1) s0 += data[offset + index] * query[index];
      out[slot] = s0 + s1 + s2 + s3;
    }
  }

  #ensure(slots: number): void {
    if (slots <= this.#present.length) return;
    const capacity = Math.max(slots, this.#present.length * 2);
    const data = new Float32Array(capacity * this.dimensions);
    data.set(this.#data);
    this.#data = data;
    const present = new Uint8Array(capacity);
    present.set(this.#present);
    this.#present = present;
  }
}

function inverseNorm(vector: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < vector.length; index += 1) sum += (vector[index] ?? 0) ** 2;
  return sum > 0 ? 1 / Math.sqrt(sum) : 0;
}

/** `vector` scaled to unit length, as a new `Float32Array`. */
export function unitVector(vector: ArrayLike<number>): Float32Array {
  const scale = inverseNorm(vector);
  return Float32Array.from({ length: vector.length }, (_, index) => (vector[index] ?? 0) * scale);
}
