package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;

/** IEEE-754 binary32, little-endian. */
final class F32Codec implements BlockCodec {
    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        MemorySegment.copy(src, Layouts.FLOAT, byteOffset, dst, dstOffset, n);
    }

    @Override
    public float dot(MemorySegment src, long byteOffset, float[] x, int xOffset, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += src.get(Layouts.FLOAT, byteOffset + 4L * i) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long byteOffset) {
        MemorySegment.copy(src, srcOffset, dst, Layouts.FLOAT, byteOffset, n);
    }
}
