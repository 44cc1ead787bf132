package io.llmopt.tensor;

/**
 * An error caused by input the user gave llmopt (a file, a flag, a request): its message is one line that
 * names the file or field and what was expected, fit to print without a stack trace.
 */
public class LlmoptException extends RuntimeException {
    public LlmoptException(String message) {
        super(message);
    }

    public LlmoptException(String message, Throwable cause) {
        super(message, cause);
    }
}
