import { describe, expect, it } from "vitest";
import { applyModelSource, modelBaseUrl } from "../../../src/core/model-source";

const record = {
  model_id: "SmolLM2-135M-Instruct-q0f32-MLC",
  model: "https://huggingface.co/mlc-ai/SmolLM2-135M-Instruct-q0f32-MLC",
  model_lib:
    "https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_80/SmolLM2-135M-Instruct-q0f32-ctx4k_cs1k-webgpu.wasm",
};

describe("model source", () => {
  it("resolves the base URL the way web-llm does", () => {
    expect(modelBaseUrl(record.model)).toBe(
      "https://huggingface.co/mlc-ai/SmolLM2-135M-Instruct-q0f32-MLC/resolve/main/",
    );
    expect(modelBaseUrl("https://h.example/org/m/resolve/v2/")).toBe("https://h.example/org/m/resolve/v2/");
  });

  it("leaves records alone without a mirror", () => {
    expect(applyModelSource(record, {})).toBe(record);
  });

  it("maps model files and libraries onto a mirror", () => {
    const mirrored = applyModelSource(record, { mirror: "http://127.0.0.1:8080/hub" });
    expect(mirrored.model).toBe("http://127.0.0.1:8080/hub/mlc-ai/SmolLM2-135M-Instruct-q0f32-MLC/resolve/main/");
    expect(mirrored.model_lib).toBe(
      "http://127.0.0.1:8080/hub/model-libs/SmolLM2-135M-Instruct-q0f32-ctx4k_cs1k-webgpu.wasm",
    );
    expect(mirrored.model_id).toBe(record.model_id);
  });
});
