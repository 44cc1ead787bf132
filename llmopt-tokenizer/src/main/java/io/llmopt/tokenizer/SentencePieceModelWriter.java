package io.llmopt.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a SentencePiece {@code tokenizer.model} (protobuf {@code ModelProto}, sentencepiece_model.proto) with a
 * minimal wire-format encoder: the fields {@link SentencePieceModelReader} reads and sentencepiece needs to load the
 * model. ModelProto 1 = pieces {1 piece, 2 score, 3 type}; 2 = trainer_spec {3 model_type, 4 vocab_size,
 * 35 byte_fallback, 40 unk_id, 41 bos_id, 42 eos_id, 43 pad_id}; 3 = normalizer_spec {1 name, 3 add_dummy_prefix,
 * 4 remove_extra_whitespaces}. The normalizer is {@code identity} with no precompiled charsmap (llama.cpp applies
 * none either). Fields are written in field-number order; negative ids are int32 varints (ten bytes), as protobuf
 * encodes them.
 */
final class SentencePieceModelWriter {
    private SentencePieceModelWriter() {
    }

    static byte[] write(SentencePieceModelReader.Model model) {
        Proto top = new Proto();
        for (int i = 0; i < model.pieces().size(); i++) {
            Proto piece = new Proto();
            piece.string(1, model.pieces().get(i));
            piece.float32(2, model.scores()[i]);
            piece.varint(3, model.types()[i].code());
            top.message(1, piece);
        }
        Proto trainer = new Proto();
        trainer.varint(3, model.modelType());
        trainer.varint(4, model.pieces().size());
        trainer.varint(35, model.byteFallback() ? 1 : 0);
        trainer.varint(40, model.unkId());
        trainer.varint(41, model.bosId());
        trainer.varint(42, model.eosId());
        trainer.varint(43, model.padId());
        top.message(2, trainer);
        Proto normalizer = new Proto();
        normalizer.string(1, model.normalizerName());
        normalizer.varint(3, model.addDummyPrefix() ? 1 : 0);
        normalizer.varint(4, model.removeExtraWhitespaces() ? 1 : 0);
        top.message(3, normalizer);
        return top.bytes();
    }

    /** One protobuf message being written. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        private void tag(int field, int wireType) {
            rawVarint(((long) field << 3) | wireType);
        }

        private void rawVarint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        /** An int32/enum/bool field; negative values are sign-extended to 64 bits, as protobuf's int32 encoding. */
        void varint(int field, int value) {
            tag(field, 0);
            rawVarint(value);
        }

        void float32(int field, float value) {
            tag(field, 5);
            int bits = Float.floatToRawIntBits(value);
            for (int i = 0; i < 4; i++) {
                out.write(bits >>> (8 * i));
            }
        }

        void string(int field, String value) {
            bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        void message(int field, Proto message) {
            bytes(field, message.bytes());
        }

        private void bytes(int field, byte[] value) {
            tag(field, 2);
            rawVarint(value.length);
            out.writeBytes(value);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
