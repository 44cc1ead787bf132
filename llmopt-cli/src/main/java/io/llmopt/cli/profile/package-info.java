/** Diagnostic commands that split the time of the forward pass ({@code llmopt profile-decode}). */
package io.llmopt.cli.profile;
