package io.llmopt.model.generate;

/** Why generation ended (OpenAI's finish_reason names). */
public enum FinishReason {
    /** An end-of-generation token or a stop string. */
    STOP,
    /** The token budget or the context was used up. */
    LENGTH;

    public String apiName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
