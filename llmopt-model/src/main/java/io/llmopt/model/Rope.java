package io.llmopt.model;

/**
 * Rotary position embedding with precomputed cos/sin tables [position][ropeDim/2] for the whole context.
 * Frequencies are computed in double and stored as float. {@link #apply} rotates, in place, the first
 * {@code ropeDim} dimensions of every head of one token vector, pairing elements as the layout says.
 */
public final class Rope {
    private final int headDim;
    private final int half;
    private final RopeLayout layout;
    private final float[] cos;
    private final float[] sin;
    private final int contextLength;

    public Rope(LlamaConfig c, int contextLength) {
        this.headDim = c.headDim();
        this.half = c.ropeDim() / 2;
        this.layout = c.ropeLayout();
        this.contextLength = contextLength;
        double[] freqs = frequencies(c, contextLength);
        this.cos = new float[contextLength * half];
        this.sin = new float[contextLength * half];
        RopeScaling s = c.ropeScaling();
        double positionScale = s.type() == RopeScaling.Type.LINEAR ? 1.0 / s.factor() : 1.0;
        for (int p = 0; p < contextLength; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * positionScale * freqs[i];
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
    }

    /** θ_i for i < ropeDim/2, after any frequency-based scaling. */
    static double[] frequencies(LlamaConfig c, int contextLength) {
        int dim = c.ropeDim();
        RopeScaling s = c.ropeScaling();
        double base = c.ropeTheta();
        if (s.type() == RopeScaling.Type.DYNAMIC && contextLength > s.originalContext()) {
            double ratio = s.factor() * contextLength / s.originalContext() - (s.factor() - 1);
            base = base * Math.pow(ratio, dim / (dim - 2.0));
        }
        double[] f = new double[dim / 2];
        if (s.type() == RopeScaling.Type.FACTORS && s.frequencyFactors().length != dim / 2) {
            throw new io.llmopt.tensor.LlmoptException("RoPE frequency factors: " + s.frequencyFactors().length
                    + " values, expected rope dimension / 2 = " + dim / 2);
        }
        for (int i = 0; i < dim / 2; i++) {
            f[i] = 1.0 / Math.pow(base, (2.0 * i) / dim);
            if (s.type() == RopeScaling.Type.FACTORS) {
                f[i] /= s.frequencyFactors()[i];
            }
            if (s.type() == RopeScaling.Type.LLAMA3) {
                double lowWavelen = s.originalContext() / s.lowFreqFactor();
                double highWavelen = s.originalContext() / s.highFreqFactor();
                double wavelen = 2 * Math.PI / f[i];
                if (wavelen > lowWavelen) {
                    f[i] = f[i] / s.factor();
                } else if (wavelen >= highWavelen) {
                    double smooth = (s.originalContext() / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                    f[i] = (1 - smooth) * f[i] / s.factor() + smooth * f[i];
                }
            }
        }
        return f;
    }

    public int contextLength() {
        return contextLength;
    }

    /** Rotates heads [0, heads) of the vector at {@code v[offset..]} for position {@code pos}. */
    public void apply(float[] v, int offset, int heads, int pos) {
        int t = pos * half;
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headDim;
            for (int i = 0; i < half; i++) {
                int a = layout == RopeLayout.INTERLEAVED ? base + 2 * i : base + i;
                int b = layout == RopeLayout.INTERLEAVED ? a + 1 : a + half;
                float c = cos[t + i];
                float s = sin[t + i];
                float x0 = v[a];
                float x1 = v[b];
                v[a] = x0 * c - x1 * s;
                v[b] = x0 * s + x1 * c;
            }
        }
    }
}
