package io.llmopt.compress.prune;

import io.llmopt.compress.calib.InputGroup;
import io.llmopt.model.ActivationObserver.Weight;
import io.llmopt.model.LayerWeights;
import io.llmopt.model.loader.TensorNames;
import io.llmopt.tensor.Tensor;

/** The seven matrices of a decoder layer that pruning touches, with their GGUF names and input groups. */
enum PrunableMatrix {
    Q(Weight.ATTN_Q), K(Weight.ATTN_K), V(Weight.ATTN_V), O(Weight.ATTN_OUTPUT),
    GATE(Weight.FFN_GATE), UP(Weight.FFN_UP), DOWN(Weight.FFN_DOWN);

    final Weight weight;

    PrunableMatrix(Weight weight) {
        this.weight = weight;
    }

    InputGroup input() {
        return InputGroup.of(weight);
    }

    String ggufName(int layer) {
        TensorNames n = TensorNames.GGUF;
        String pattern = switch (this) {
            case Q -> n.wq();
            case K -> n.wk();
            case V -> n.wv();
            case O -> n.wo();
            case GATE -> n.gate();
            case UP -> n.up();
            case DOWN -> n.down();
        };
        return TensorNames.layer(pattern, layer);
    }

    Tensor of(LayerWeights w) {
        return switch (this) {
            case Q -> w.wq();
            case K -> w.wk();
            case V -> w.wv();
            case O -> w.wo();
            case GATE -> w.gate();
            case UP -> w.up();
            case DOWN -> w.down();
        };
    }

    /** {@code w} with these seven matrices replaced (in enum order). */
    static LayerWeights with(LayerWeights w, Tensor[] m) {
        return new LayerWeights(w.attnNorm(), m[0], m[1], m[2], m[3], w.bq(), w.bk(), w.bv(), w.ffnNorm(), m[4], m[5], m[6]);
    }
}
