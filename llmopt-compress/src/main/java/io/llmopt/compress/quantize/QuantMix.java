package io.llmopt.compress.quantize;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The quantization types a user asks for: llama.cpp's "ftypes" (llama.h {@code LLAMA_FTYPE_*}), each with the
 * number written to {@code general.file_type} and the tensor type most weights get. The k-quant mixes
 * (…_S/_M/_L) give some tensors more bits; {@link TensorTypeRules} holds those rules.
 */
public enum QuantMix {
    F32(0, GgmlType.F32),
    F16(1, GgmlType.F16),
    BF16(32, GgmlType.BF16),
    Q4_0(2, GgmlType.Q4_0),
    Q4_1(3, GgmlType.Q4_1),
    Q8_0(7, GgmlType.Q8_0),
    Q5_0(8, GgmlType.Q5_0),
    Q5_1(9, GgmlType.Q5_1),
    Q2_K(10, GgmlType.Q2_K),
    Q2_K_S(21, GgmlType.Q2_K),
    Q3_K_S(11, GgmlType.Q3_K),
    Q3_K_M(12, GgmlType.Q3_K),
    Q3_K_L(13, GgmlType.Q3_K),
    Q4_K_S(14, GgmlType.Q4_K),
    Q4_K_M(15, GgmlType.Q4_K),
    Q5_K_S(16, GgmlType.Q5_K),
    Q5_K_M(17, GgmlType.Q5_K),
    Q6_K(18, GgmlType.Q6_K);

    private final int fileType;
    private final GgmlType baseType;

    QuantMix(int fileType, GgmlType baseType) {
        this.fileType = fileType;
        this.baseType = baseType;
    }

    /** llama.cpp's ftype, stored as {@code general.file_type}. */
    public int fileType() {
        return fileType;
    }

    /** The type of every quantized weight before the mix rules (llama.cpp's default_type). */
    public GgmlType baseType() {
        return baseType;
    }

    /** Whether the base type is a block-quantized type (only then do the mix rules apply). */
    public boolean isQuantized() {
        return baseType.isQuantized();
    }

    /**
     * Parses a type name case-insensitively, accepting llama-quantize's aliases Q3_K, Q4_K and Q5_K for the
     * _M mixes; fails with the list of valid names.
     */
    public static QuantMix parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        switch (n) {
            case "Q3_K":
                return Q3_K_M;
            case "Q4_K":
                return Q4_K_M;
            case "Q5_K":
                return Q5_K_M;
            default:
                for (QuantMix m : values()) {
                    if (m.name().equals(n)) {
                        return m;
                    }
                }
        }
        throw new LlmoptException("unknown quantization type '" + name + "' (expected one of "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + ", or the aliases Q3_K, Q4_K, Q5_K)");
    }
}
