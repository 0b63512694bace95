/**
 * A value the page makes once (Services makes each controller) that elements placed anywhere wait
 * for: elements may be defined and connected before Services has run. Later provisions are ignored,
 * as a promise settles once.
 */
export class ProvidedOnce<T> {
  readonly #value: Promise<T>;
  #provide: ((value: T) => void) | undefined;

  constructor() {
    this.#value = new Promise<T>((resolve) => {
      this.#provide = resolve;
    });
  }

  provide(value: T): void {
    this.#provide?.(value);
  }

  /** The value, once provided. */
  get(): Promise<T> {
    return this.#value;
  }
}
