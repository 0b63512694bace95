/**
 * Text to vectors, next to `ChatEngine`: production binds it to web-llm's
 * `engine.embeddings.create` (a snowflake-arctic-embed model loaded together with the chat model),
 * tests to the scripted engine under `test/`.
 */

/** A search query is embedded differently from the passages it is compared with. */
export type EmbeddingPurpose = "query" | "document";

export interface EmbeddingEngine {
  /** The embedding model that is loaded now, or `undefined`: then there are no vectors. */
  readonly loadedEmbeddingModelId: string | undefined;
  /** One vector per text, in order, as the model gives them (not normalised). */
  embed(texts: readonly string[], purpose?: EmbeddingPurpose): Promise<Float32Array[]>;
}
