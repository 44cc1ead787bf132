package io.llmopt.compress.quantize;

import java.util.List;

/**
 * What a quantize run did: per tensor and in total. Bits per weight count every tensor's bytes over every
 * tensor's values (as llama.cpp reports file bpw).
 *
 * @param type        the target type or mix (e.g. "Q4_K_M", "NF4")
 * @param fileType    llama.cpp's general.file_type of the output, −1 for non-GGUF output
 * @param bytesBefore tensor data bytes of the input
 * @param bytesAfter  tensor data bytes of the output
 * @param fileBytes   size of the written file
 * @param elements    number of values in all tensors
 */
public record QuantizeReport(String input, String output, String type, int fileType, String imatrix, int threads,
        List<TensorReport> tensors, long bytesBefore, long bytesAfter, long fileBytes, long elements, double seconds) {

    /**
     * One tensor.
     *
     * @param shape            row-major shape
     * @param converted        whether its data was re-encoded (false: copied)
     * @param relativeRmsError √(Σ(x − x̂)²/Σx²), 0 for copied tensors
     * @param fallback         note when its shape forced another type, else null
     * @param importance       whether an importance-matrix row was applied
     */
    public record TensorReport(String name, long[] shape, String sourceType, String type, boolean converted,
            long bytesBefore, long bytesAfter, double relativeRmsError, String fallback, boolean importance) {
    }

    public double bitsPerWeight() {
        return elements == 0 ? 0 : 8.0 * bytesAfter / elements;
    }

    public long fallbackCount() {
        return tensors.stream().filter(t -> t.fallback() != null).count();
    }
}
