package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;

/** IEEE-754 binary16, little-endian; encoding rounds to nearest even like ggml's and PyTorch's. */
final class F16Codec implements BlockCodec {
    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = Float.float16ToFloat(src.get(Layouts.SHORT, byteOffset + 2L * i));
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long byteOffset) {
        for (int i = 0; i < n; i++) {
            dst.set(Layouts.SHORT, byteOffset + 2L * i, Float.floatToFloat16(src[srcOffset + i]));
        }
    }
}
