/**
 * The comparison report of {@code llmopt compare}: one base model and its variants measured on the same
 * text (PPL, ΔPPL, KL divergence and top-1 agreement against the base, optional multiple-choice accuracy,
 * optional speed), written as Markdown, JSON and a self-contained HTML page with PNG charts.
 *
 * <p>Depends on {@code io.llmopt.eval}, {@code io.llmopt.eval.mc} and the model module; charts use
 * JFreeChart (headless Java2D). Must not import the CLI.
 */
package io.llmopt.eval.report;
