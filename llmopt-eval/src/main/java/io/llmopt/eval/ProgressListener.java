package io.llmopt.eval;

/** Receives progress of a long evaluation; called on the evaluating thread after each unit of work. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (done, total, status) -> { };

    /**
     * @param done   units finished (chunks, windows or items)
     * @param total  units planned
     * @param status a short running figure to show beside a bar, e.g. "PPL 6.4936"
     */
    void update(int done, int total, String status);
}
