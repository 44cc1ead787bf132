package io.llmopt.train.ops;

/**
 * Token embedding lookup. Legend: BT rows (batch × time), C channels, V vocabulary.
 * <pre>
 * forward:   out [BT][C] = wte [V][C] [tokens[bt]]
 * backward:  dwte[tokens[bt]] += dout[bt]   (rows in order, so repeated tokens sum deterministically)
 * </pre>
 */
public final class EmbeddingOp {
    private EmbeddingOp() {
    }

    public static void forward(float[] out, int[] tokens, int tokOff, float[] wte, int wteOff, int bt, int c) {
        for (int r = 0; r < bt; r++) {
            System.arraycopy(wte, wteOff + tokens[tokOff + r] * c, out, r * c, c);
        }
    }

    public static void backward(float[] dwte, int dwteOff, float[] dout, int[] tokens, int tokOff, int bt, int c) {
        for (int r = 0; r < bt; r++) {
            int row = dwteOff + tokens[tokOff + r] * c;
            int src = r * c;
            for (int i = 0; i < c; i++) {
                dwte[row + i] += dout[src + i];
            }
        }
    }
}
