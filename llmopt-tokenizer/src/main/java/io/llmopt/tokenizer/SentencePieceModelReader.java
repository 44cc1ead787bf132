package io.llmopt.tokenizer;

import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a SentencePiece {@code tokenizer.model} (protobuf {@code ModelProto}) with a minimal wire-format decoder.
 * Fields used (sentencepiece_model.proto): ModelProto 1 = pieces {1 piece, 2 score, 3 type}, 2 = trainer_spec {3
 * model_type, 35 byte_fallback, 40 unk_id, 41 bos_id, 42 eos_id, 43 pad_id}, 3 = normalizer_spec {1 name, 3
 * add_dummy_prefix, 4 remove_extra_whitespaces}. Unknown fields are skipped, as protobuf requires.
 */
public final class SentencePieceModelReader {
    /** The parts of a ModelProto a tokenizer needs; ids are -1 when disabled. */
    public record Model(List<String> pieces, float[] scores, TokenType[] types, int modelType, boolean byteFallback,
            int unkId, int bosId, int eosId, int padId, String normalizerName, boolean addDummyPrefix,
            boolean removeExtraWhitespaces) {
        public static final int UNIGRAM = 1;
        public static final int BPE = 2;
    }

    private SentencePieceModelReader() {
    }

    public static Model read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new LlmoptException(file + ": SentencePiece model not found");
        } catch (IOException e) {
            throw new LlmoptException(file + ": cannot read SentencePiece model: " + e.getMessage(), e);
        }
        return parse(bytes, file.toString());
    }

    static Model parse(byte[] bytes, String source) {
        List<String> pieces = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        List<TokenType> types = new ArrayList<>();
        int[] trainer = {2, 0, 0, 1, 2, -1}; // model_type, byte_fallback, unk, bos, eos, pad (proto defaults)
        String[] normalizerName = {""};
        boolean[] normalizerFlags = {true, true}; // add_dummy_prefix, remove_extra_whitespaces
        Wire top = new Wire(bytes, 0, bytes.length, source);
        while (top.more()) {
            int key = top.varint32();
            int field = key >>> 3;
            int wire = key & 7;
            if (field == 1 && wire == 2) {
                Wire p = top.message();
                String piece = null;
                float score = 0f;
                int type = 1;
                while (p.more()) {
                    int k = p.varint32();
                    switch (k) {
                        case (1 << 3) | 2 -> piece = p.string();
                        case (2 << 3) | 5 -> score = Float.intBitsToFloat(p.fixed32());
                        case (3 << 3) -> type = (int) p.varint();
                        default -> p.skip(k & 7);
                    }
                }
                if (piece == null) {
                    throw top.error("piece " + pieces.size() + " has no text");
                }
                pieces.add(piece);
                scores.add(score);
                types.add(TokenType.of(type));
            } else if (field == 2 && wire == 2) {
                Wire t = top.message();
                while (t.more()) {
                    int k = t.varint32();
                    switch (k) {
                        case (3 << 3) -> trainer[0] = (int) t.varint();
                        case (35 << 3) -> trainer[1] = (int) t.varint();
                        case (40 << 3) -> trainer[2] = (int) t.varint();
                        case (41 << 3) -> trainer[3] = (int) t.varint();
                        case (42 << 3) -> trainer[4] = (int) t.varint();
                        case (43 << 3) -> trainer[5] = (int) t.varint();
                        default -> t.skip(k & 7);
                    }
                }
            } else if (field == 3 && wire == 2) {
                Wire nz = top.message();
                while (nz.more()) {
                    int k = nz.varint32();
                    switch (k) {
                        case (1 << 3) | 2 -> normalizerName[0] = nz.string();
                        case (3 << 3) -> normalizerFlags[0] = nz.varint() != 0;
                        case (4 << 3) -> normalizerFlags[1] = nz.varint() != 0;
                        default -> nz.skip(k & 7);
                    }
                }
            } else {
                top.skip(wire);
            }
        }
        if (pieces.isEmpty()) {
            throw new LlmoptException(source + ": not a SentencePiece model (no pieces found)");
        }
        float[] s = new float[scores.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = scores.get(i);
        }
        return new Model(List.copyOf(pieces), s, types.toArray(TokenType[]::new), trainer[0], trainer[1] != 0,
                trainer[2], trainer[3], trainer[4], trainer[5], normalizerName[0], normalizerFlags[0],
                normalizerFlags[1]);
    }

    /** A bounded view of protobuf wire data; every read is bounds-checked and errors name the byte offset. */
    private static final class Wire {
        private final byte[] b;
        private int pos;
        private final int end;
        private final String source;

        Wire(byte[] b, int pos, int end, String source) {
            this.b = b;
            this.pos = pos;
            this.end = end;
            this.source = source;
        }

        boolean more() {
            return pos < end;
        }

        LlmoptException error(String what) {
            return new LlmoptException(source + ": corrupt SentencePiece model at byte " + pos + ": " + what);
        }

        long varint() {
            long r = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw error("truncated varint");
                }
                int c = b[pos++] & 0xFF;
                r |= (long) (c & 0x7F) << shift;
                if (c < 0x80) {
                    return r;
                }
            }
            throw error("varint longer than 10 bytes");
        }

        int varint32() {
            return (int) varint();
        }

        int fixed32() {
            if (end - pos < 4) {
                throw error("truncated fixed32");
            }
            int v = (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8 | (b[pos + 2] & 0xFF) << 16 | (b[pos + 3] & 0xFF) << 24;
            pos += 4;
            return v;
        }

        private int length() {
            long len = varint();
            if (len < 0 || len > end - pos) {
                throw error("length " + len + " runs past the end of its message");
            }
            return (int) len;
        }

        Wire message() {
            int len = length();
            Wire w = new Wire(b, pos, pos + len, source);
            pos += len;
            return w;
        }

        String string() {
            int len = length();
            try {
                String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(b, pos, len)).toString();
                pos += len;
                return s;
            } catch (CharacterCodingException e) {
                throw error("piece text is not UTF-8");
            }
        }

        void skip(int wire) {
            switch (wire) {
                case 0 -> varint();
                case 1 -> {
                    if (end - pos < 8) {
                        throw error("truncated fixed64");
                    }
                    pos += 8;
                }
                case 2 -> {
                    int len = length(); // read first: `pos += length()` would add to the stale pos
                    pos += len;
                }
                case 5 -> fixed32();
                default -> throw error("unsupported protobuf wire type " + wire);
            }
        }
    }
}
