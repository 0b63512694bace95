/**
 * Keeps the `k` highest-scoring items seen, in a binary min-heap: O(log k) per offer, so ranking
 * 100,000 documents for a handful of hits never sorts them all.
 */
export class TopK {
  readonly #k: number;
  readonly #scores: Float64Array;
  readonly #items: Int32Array;
  #size = 0;

  constructor(k: number) {
    this.#k = Math.max(0, Math.floor(k));
    this.#scores = new Float64Array(this.#k);
    this.#items = new Int32Array(this.#k);
  }

  get capacity(): number {
    return this.#k;
  }

  get size(): number {
    return this.#size;
  }

  /** The score an item must beat to get in (−∞ while there is room). */
  get threshold(): number {
    return this.#size < this.#k ? -Infinity : (this.#scores[0] ?? -Infinity);
  }

  offer(item: number, score: number): void {
    if (this.#k === 0) return;
    if (this.#size < this.#k) {
      let index = this.#size++;
      // Sift up.
      while (index > 0) {
        const parent = (index - 1) >> 1;
        const parentScore = this.#scores[parent] ?? 0;
        if (parentScore <= score) break;
        this.#scores[index] = parentScore;
        this.#items[index] = this.#items[parent] ?? 0;
        index = parent;
      }
      this.#scores[index] = score;
      this.#items[index] = item;
      return;
    }
    if (score <= (this.#scores[0] ?? -Infinity)) return;
    // Replace the minimum and sift down.
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= this.#size) break;
      const right = left + 1;
      const leftScore = this.#scores[left] ?? 0;
      const rightScore = right < this.#size ? (this.#scores[right] ?? 0) : Infinity;
      const child = rightScore < leftScore ? right : left;
      const childScore = child === right ? rightScore : leftScore;
      if (score <= childScore) break;
      this.#scores[index] = childScore;
      this.#items[index] = this.#items[child] ?? 0;
      index = child;
    }
    this.#scores[index] = score;
    this.#items[index] = item;
  }

  /** Items with their scores, best first. */
  sorted(): { item: number; score: number }[] {
    const entries: { item: number; score: number }[] = [];
    for (let index = 0; index < this.#size; index += 1) {
      entries.push({ item: this.#items[index] ?? 0, score: this.#scores[index] ?? 0 });
    }
    return entries.sort((a, b) => b.score - a.score || a.item - b.item);
  }
}
