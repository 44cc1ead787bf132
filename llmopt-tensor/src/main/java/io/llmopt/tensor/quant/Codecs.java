package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import java.util.EnumMap;
import java.util.Map;

/** The registry of scalar reference codecs, one per supported {@link GgmlType}. */
public final class Codecs {
    private static final Map<GgmlType, BlockCodec> CODECS = new EnumMap<>(GgmlType.class);

    static {
        register(new F32Codec());
        register(new F16Codec());
        register(new BF16Codec());
        register(new Q4_0Codec());
        register(new Q4_1Codec());
        register(new Q5_0Codec());
        register(new Q5_1Codec());
        register(new Q8_0Codec());
        register(new Q8_1Codec());
        register(new Q2_KCodec());
        register(new Q3_KCodec());
        register(new Q4_KCodec());
        register(new Q5_KCodec());
        register(new Q6_KCodec());
        register(new Q8_KCodec());
        register(new IQ4_NLCodec());
        register(FourBitCodec.nf4());
        register(FourBitCodec.fp4());
        register(new Int8RowCodec());
    }

    private Codecs() {
    }

    private static void register(BlockCodec codec) {
        CODECS.put(codec.type(), codec);
    }

    public static boolean supports(GgmlType type) {
        return CODECS.containsKey(type);
    }

    /** The 16 levels of a 4-bit table type (NF4, FP4), by code: value = level·absmax. */
    public static float[] levels(GgmlType type) {
        return switch (type) {
            case NF4 -> FourBitCodec.NF4.clone();
            case FP4 -> FourBitCodec.FP4.clone();
            default -> throw new LlmoptException(type + " has no level table");
        };
    }

    public static BlockCodec of(GgmlType type) {
        BlockCodec codec = CODECS.get(type);
        if (codec == null) {
            throw new LlmoptException("tensor type " + type + " cannot be decoded yet");
        }
        return codec;
    }
}
