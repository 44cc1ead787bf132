package io.llmopt.model.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenHeapTest {

    private static Integer[] fullSort(float[] logits) {
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        return order;
    }

    @Test
    void selectTopAndPopBestAgreeWithAFullSort() {
        Random random = new Random(21);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + random.nextInt(300);
            float[] logits = new float[n];
            for (int i = 0; i < n; i++) {
                logits[i] = trial % 2 == 0 ? random.nextInt(8) : (float) random.nextGaussian();
                if (random.nextInt(20) == 0) {
                    logits[i] = Float.NEGATIVE_INFINITY;
                }
            }
            Integer[] want = fullSort(logits);

            int k = random.nextInt(n + 3);
            int[] top = new int[n + 3];
            int size = TokenHeap.selectTop(logits, n, k, top);
            assertThat(size).isEqualTo(Math.min(k, n));
            for (int r = 0; r < size; r++) {
                assertThat(top[r]).as("rank %d of %d, trial %d", r, k, trial).isEqualTo(want[r]);
            }

            int from = random.nextInt(4); // the heap may start anywhere in the array
            int[] heap = new int[from + n + 2];
            for (int i = 0; i < n; i++) {
                heap[from + i] = i;
            }
            TokenHeap.buildBestFirst(logits, heap, from, from + n);
            for (int r = 0; r < n; r++) {
                assertThat(TokenHeap.popBest(logits, heap, from, from + n - r)).isEqualTo(want[r]);
                assertThat(heap[from + n - 1 - r]).isEqualTo(want[r]); // popped tokens collect at the back, best last
            }
        }
    }
}
