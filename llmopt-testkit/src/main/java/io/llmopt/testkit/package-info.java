/**
 * Test helpers shared by all modules (locating ../shared). Test scope only; imports nothing of llmopt.
 */
package io.llmopt.testkit;
