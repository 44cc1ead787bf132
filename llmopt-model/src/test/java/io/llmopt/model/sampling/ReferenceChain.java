package io.llmopt.model.sampling;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sampler chain written as plainly as possible (boxed lists, a full sort, double softmax), to be the
 * specification the optimised {@link Sampler} is compared with. Returns the final distribution over the whole
 * vocabulary; tokens removed by truncation get probability 0.
 */
final class ReferenceChain {
    private ReferenceChain() {
    }

    static double[] distribution(SamplingParams params, float[] rawLogits, List<Integer> history) {
        int n = rawLogits.length;
        float[] logits = rawLogits.clone();
        for (Map.Entry<Integer, Float> e : params.logitBias().entrySet()) {
            logits[e.getKey()] += e.getValue();
        }
        if (params.penaltiesEnabled()) {
            int window = params.repeatLastN() < 0 ? history.size() : Math.min(params.repeatLastN(), history.size());
            Map<Integer, Integer> counts = new HashMap<>();
            for (int token : history.subList(history.size() - window, history.size())) {
                counts.merge(token, 1, Integer::sum);
            }
            for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
                int t = e.getKey();
                int c = e.getValue();
                float x = logits[t];
                x = x <= 0 ? x * (float) params.repeatPenalty() : x / (float) params.repeatPenalty();
                logits[t] = x - ((float) c * (float) params.frequencyPenalty() + (float) params.presencePenalty());
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        order.sort((a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        double[] result = new double[n];
        if (params.isGreedy()) {
            result[order.get(0)] = 1;
            return result;
        }
        List<Integer> kept = order;
        if (params.topK() > 0 && params.topK() < kept.size()) {
            kept = kept.subList(0, params.topK());
        }
        float max = logits[kept.get(0)];
        if (params.topP() < 1) {
            double sum = 0;
            for (int t : kept) {
                sum += Math.exp(logits[t] - (double) max);
            }
            double cumulative = 0;
            int size = kept.size();
            for (int i = 0; i < kept.size(); i++) {
                cumulative += Math.exp(logits[kept.get(i)] - (double) max) / sum;
                if (cumulative >= params.topP()) {
                    size = i + 1;
                    break;
                }
            }
            kept = kept.subList(0, size);
        }
        if (params.minP() > 0) {
            float threshold = max + (float) Math.log(params.minP());
            List<Integer> filtered = new ArrayList<>();
            for (int t : kept) {
                if (logits[t] >= threshold) {
                    filtered.add(t);
                }
            }
            kept = filtered;
        }
        double sum = 0;
        for (int t : kept) {
            result[t] = Math.exp((logits[t] - (double) max) / params.temperature());
            sum += result[t];
        }
        for (int t : kept) {
            result[t] /= sum;
        }
        return result;
    }

    /** Softmax of logits / temperature, in double. */
    static double[] softmax(float[] logits, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : logits) {
            max = Math.max(max, x);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp((logits[i] - max) / temperature);
            sum += p[i];
        }
        for (int i = 0; i < logits.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
