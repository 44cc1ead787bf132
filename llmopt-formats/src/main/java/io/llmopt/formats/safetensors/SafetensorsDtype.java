package io.llmopt.formats.safetensors;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import java.util.Optional;

/**
 * The element types a safetensors header may name (the {@code Dtype} enum of the reference implementation,
 * spelled exactly as in the file), each with its width in bits and the {@link GgmlType} that holds the same
 * bytes where llmopt has one. Types without a {@code GgmlType} are recognised (so such a file opens and its
 * other tensors can be read) but cannot be exposed as a {@link io.llmopt.tensor.Tensor}.
 */
public enum SafetensorsDtype {
    BOOL(8, null),
    U8(8, null),
    I8(8, GgmlType.I8),
    F8_E5M2(8, null),
    F8_E4M3(8, null),
    F8_E8M0(8, null),
    F8_E4M3FNUZ(8, null),
    F8_E5M2FNUZ(8, null),
    I16(16, GgmlType.I16),
    U16(16, null),
    F16(16, GgmlType.F16),
    BF16(16, GgmlType.BF16),
    I32(32, GgmlType.I32),
    U32(32, null),
    F32(32, GgmlType.F32),
    C64(64, null),
    F64(64, GgmlType.F64),
    I64(64, GgmlType.I64),
    U64(64, null),
    /** Sub-byte micro-scaling float types: a tensor's total bit count must be a multiple of 8. */
    F4(4, null),
    F6_E2M3(6, null),
    F6_E3M2(6, null);

    private final int bits;
    private final GgmlType ggmlType;

    SafetensorsDtype(int bits, GgmlType ggmlType) {
        this.bits = bits;
        this.ggmlType = ggmlType;
    }

    /** Width of one element in bits. */
    public int bits() {
        return bits;
    }

    /** The llmopt tensor type with the same byte layout, if there is one. */
    public Optional<GgmlType> ggmlType() {
        return Optional.ofNullable(ggmlType);
    }

    /**
     * Bytes taken by {@code elements} values, or -1 when that is not a whole number of bytes or does not fit in
     * a long (the caller reports the error with its own context).
     */
    long byteSizeOrMinusOne(long elements) {
        if (elements < 0 || elements > Long.MAX_VALUE / bits) {
            return -1;
        }
        long totalBits = elements * bits;
        return totalBits % 8 == 0 ? totalBits / 8 : -1;
    }

    /** The dtype with exactly this spelling (safetensors names are case-sensitive). */
    public static Optional<SafetensorsDtype> byName(String name) {
        for (SafetensorsDtype d : values()) {
            if (d.name().equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /** The safetensors dtype that stores {@code type}'s bytes unchanged; quantized block types have none. */
    public static SafetensorsDtype of(GgmlType type) {
        for (SafetensorsDtype d : values()) {
            if (d.ggmlType == type) {
                return d;
            }
        }
        throw new LlmoptException("tensor type " + type + " cannot be stored in safetensors (supported: F32, F16, BF16, F64, I8, I16, I32, I64)");
    }
}
