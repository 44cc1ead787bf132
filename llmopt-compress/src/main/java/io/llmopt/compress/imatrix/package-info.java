/**
 * Importance matrices in llama.cpp's {@code imatrix.dat} format: reading and writing the file
 * ({@link io.llmopt.compress.imatrix.ImatrixFile}), checking one against a model
 * ({@link io.llmopt.compress.imatrix.ImportanceMatrix}), and computing one by running the model over a
 * calibration text ({@link io.llmopt.compress.imatrix.ImatrixCollector}).
 *
 * <p>Depends on model and tokenizer; prints nothing.
 */
package io.llmopt.compress.imatrix;
