package io.llmopt.tokenizer;

import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads llama2.c's {@code tokenizer.bin}: little-endian int32 max_token_length, then per token float32 score,
 * int32 byte length and the bytes. llama2.c's exporter wrote ▁ as a plain space and BOS/EOS as
 * {@code "\n<s>\n"}/{@code "\n</s>\n"}; they are mapped back to the SentencePiece spelling ({@code ▁}, {@code <s>},
 * {@code </s>}) so that this vocabulary equals the tokenizer.model and GGUF forms of the same tokenizer.
 * The file has no token types: id 0 is unknown, ids 1/2 are BOS/EOS (control), {@code <0xXX>} pieces are bytes.
 */
final class Llama2cTokenizerReader {
    private Llama2cTokenizerReader() {
    }

    static Vocabulary read(Path file, int vocabSize) {
        if (vocabSize <= 0) {
            throw new LlmoptException(file + ": vocabulary size must be positive, got " + vocabSize);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new LlmoptException(file + ": llama2.c tokenizer not found");
        } catch (IOException e) {
            throw new LlmoptException(file + ": cannot read llama2.c tokenizer: " + e.getMessage(), e);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < 4) {
            throw new LlmoptException(file + ": llama2.c tokenizer too short for its header (4 bytes expected)");
        }
        int maxTokenLength = in.getInt();
        if (maxTokenLength <= 0 || maxTokenLength > 1 << 16) {
            throw new LlmoptException(file + ": implausible max_token_length " + maxTokenLength + " at byte 0");
        }
        String[] pieces = new String[vocabSize];
        float[] scores = new float[vocabSize];
        TokenType[] types = new TokenType[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            int at = in.position();
            if (in.remaining() < 8) {
                throw new LlmoptException(file + ": truncated at token " + i + " (byte " + at + "); expected "
                        + vocabSize + " tokens");
            }
            scores[i] = in.getFloat();
            int len = in.getInt();
            if (len < 0 || len > in.remaining() || len > maxTokenLength + 8) {
                throw new LlmoptException(file + ": token " + i + " at byte " + at + " has invalid length " + len);
            }
            byte[] text = new byte[len];
            in.get(text);
            String piece = new String(text, StandardCharsets.UTF_8);
            if (i == 1 && piece.equals("\n<s>\n")) {
                piece = "<s>";
            } else if (i == 2 && piece.equals("\n</s>\n")) {
                piece = "</s>";
            } else {
                piece = piece.replace(' ', '\u2581');
            }
            pieces[i] = piece;
            types[i] = i == 0 ? TokenType.UNKNOWN
                    : i == 1 || i == 2 ? TokenType.CONTROL
                    : Vocabulary.parseByteToken(piece) >= 0 ? TokenType.BYTE : TokenType.NORMAL;
        }
        return new Vocabulary(pieces, scores, types);
    }
}
