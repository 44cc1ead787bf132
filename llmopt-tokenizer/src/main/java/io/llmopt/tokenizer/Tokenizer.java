package io.llmopt.tokenizer;

import java.util.OptionalInt;

/**
 * Text ↔ token ids for one vocabulary. Implementations are immutable and thread-safe; the per-sequence state of
 * incremental decoding lives in {@link #streamingDecoder()}.
 */
public interface Tokenizer {
    /** Number of ids (the largest id + 1, added tokens included). */
    int vocabSize();

    /**
     * Token ids of {@code text}.
     *
     * @param addSpecial add BOS/EOS as the tokenizer's own rules say (SentencePiece llama: BOS; HF tokenizer.json:
     *     its post_processor; GGUF: tokenizer.ggml.add_bos_token / add_eos_token with llama.cpp's defaults)
     * @param parseSpecial control/added-token text such as {@code "<s>"} or {@code "<|im_start|>"} becomes that token
     *     (llama.cpp's parse_special, HF's added tokens). Non-special added tokens (user-defined) are always matched,
     *     as both llama.cpp and HF do.
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /** Text of the ids; control tokens (BOS/EOS, …) are skipped unless {@code renderSpecial}. */
    String decode(int[] ids, boolean renderSpecial);

    /** The raw vocabulary string of {@code id} (e.g. {@code "▁the"}, {@code "Ġthe"}, {@code "<0x0A>"}). */
    String piece(int id);

    OptionalInt bos();

    OptionalInt eos();

    /** True for ids that end a generation: eos, eot, {@code <|im_end|>}, {@code <|eot_id|>}, … */
    boolean isEndOfGeneration(int id);

    /**
     * A new per-sequence incremental decoder (control tokens skipped). Concatenating what it returns for ids fed one
     * at a time, plus {@link StreamingDecoder#flush()}, equals {@link #decode(int[], boolean) decode(ids, false)}.
     */
    StreamingDecoder streamingDecoder();

    /** As {@link #streamingDecoder()}, with explicit control over rendering of control tokens. */
    StreamingDecoder streamingDecoder(boolean renderSpecial);

    /**
     * A streaming decoder that continues after {@code context} (e.g. the prompt): its output is
     * {@code decode(context + fed ids)} minus {@code decode(context)}, so a leading space of the first generated word
     * is kept where a fresh decode would strip the SentencePiece dummy-prefix space.
     */
    default StreamingDecoder streamingDecoderAfter(int[] context, boolean renderSpecial) {
        StreamingDecoder decoder = streamingDecoder(renderSpecial);
        for (int id : context) {
            decoder.accept(id);
        }
        return decoder;
    }
}
