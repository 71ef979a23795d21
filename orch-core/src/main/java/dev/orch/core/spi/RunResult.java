package dev.orch.core.spi;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The stored result of a completed run ({@code result.json} and run.json {@code result}, SPEC §6):
 * {@code {finalResponse, structuredOutput?, usage?, artifacts?}}.
 *
 * @param finalResponse last agent text, may be null
 * @param structuredOutput parsed JSON output, may be null
 * @param usage backend usage object, may be null
 * @param artifacts A2A artifacts array, may be null
 */
public record RunResult(String finalResponse, JsonNode structuredOutput, JsonNode usage, JsonNode artifacts) {
}
