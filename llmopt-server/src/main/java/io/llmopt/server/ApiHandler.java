package io.llmopt.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Routes every request (runs on its own virtual thread and may block): authentication, the route table,
 * OpenAI-shaped errors and request metrics. Bad input is always a 4xx; only a server bug is a 500.
 */
final class ApiHandler extends Handler.Abstract {
    /** Route → allowed method. */
    private static final Map<String, String> ROUTES = Map.of(
            "/v1/models", "GET", "/v1/completions", "POST", "/v1/chat/completions", "POST",
            "/health", "GET", "/metrics", "GET", "/tokenize", "POST", "/detokenize", "POST");
    /** Routes open without an API key (probes and scrapers). */
    private static final Set<String> OPEN = Set.of("/health", "/metrics");

    private final ServerConfig config;
    private final Map<String, ServedModel> models;
    private final ServerMetrics metrics;
    private final GenerationEndpoint generation;
    private final ModelEndpoints modelEndpoints;
    private final byte[] apiKeyHash;
    private final InFlight inFlight;

    ApiHandler(ServerConfig config, Map<String, ServedModel> models, ServerMetrics metrics, InFlight inFlight) {
        super(InvocationType.BLOCKING);
        this.config = config;
        this.models = models;
        this.metrics = metrics;
        this.inFlight = inFlight;
        this.generation = new GenerationEndpoint(config, metrics);
        this.modelEndpoints = new ModelEndpoints(models);
        this.apiKeyHash = config.apiKey() == null ? null : sha256(config.apiKey());
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long arrival = System.nanoTime();
        HttpExchange x = new HttpExchange(request, response, callback);
        String path = x.path();
        String route = ROUTES.containsKey(path) ? path : "other";
        metrics.requestStarted();
        inFlight.enter();
        try {
            dispatch(x, path, arrival);
        } catch (ApiException e) {
            sendError(x, e);
        } catch (io.llmopt.tensor.LlmoptException e) {
            sendError(x, ApiException.badRequest(null, e.getMessage())); // tokenizer/template rejected the input
        } catch (GenerationRun.EngineFailure e) {
            sendError(x, inFlight.draining()
                    ? new ApiException(503, "server_error", null, "shutting_down", "the server shut down before the request finished", -1)
                    : new ApiException(500, "server_error", null, "engine_error", e.getMessage(), -1));
        } catch (IOException e) {
            x.abort(e);
        } catch (RuntimeException e) {
            sendError(x, new ApiException(500, "server_error", null, null,
                    "internal error: " + e.getClass().getSimpleName() + ": " + e.getMessage(), -1));
        } finally {
            if (!x.completed()) {
                x.abort(new IOException("the response was not completed"));
            }
            inFlight.exit();
            metrics.requestEnded(route, x.status());
        }
        return true;
    }

    private void dispatch(HttpExchange x, String path, long arrival) throws IOException {
        String method = ROUTES.get(path);
        if (method == null) {
            throw ApiException.notFound(null, "unknown_route", "unknown route " + x.method() + " " + path
                    + "; routes: " + ROUTES.keySet().stream().sorted().collect(Collectors.joining(", ")));
        }
        if (!method.equals(x.method())) {
            throw new ApiException(405, "invalid_request_error", null, "method_not_allowed",
                    path + " accepts " + method + ", not " + x.method(), -1);
        }
        if (apiKeyHash != null && !OPEN.contains(path)) {
            checkKey(x.header("Authorization"));
        }
        switch (path) {
            case "/v1/models" -> x.sendJson(200, modelEndpoints.list());
            case "/health" -> x.sendJson(inFlight.draining() ? 503 : 200, modelEndpoints.health(inFlight.draining()));
            case "/metrics" -> x.sendText(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
            default -> post(x, path, arrival);
        }
    }

    private void post(HttpExchange x, String path, long arrival) throws IOException {
        Fields f = Fields.parse(x.body(config.maxBodyBytes()));
        ServedModel model = model(f);
        switch (path) {
            case "/tokenize" -> x.sendJson(200, modelEndpoints.tokenize(f, model));
            case "/detokenize" -> x.sendJson(200, modelEndpoints.detokenize(f, model));
            default -> {
                if (inFlight.draining()) {
                    throw new ApiException(503, "server_error", null, "shutting_down", "the server is shutting down", -1);
                }
                if (path.equals("/v1/completions")) {
                    generation.completions(x, f, model, arrival);
                } else {
                    generation.chat(x, f, model, arrival);
                }
            }
        }
    }

    /** The model named by "model"; may be omitted when only one model is served. */
    private ServedModel model(Fields f) {
        var name = f.string("model");
        if (name.isEmpty()) {
            if (models.size() == 1) {
                return models.values().iterator().next();
            }
            throw ApiException.badRequest("model", "'model' is required; served models: " + String.join(", ", models.keySet()));
        }
        ServedModel m = models.get(name.get());
        if (m == null) {
            throw ApiException.notFound("model", "model_not_found", "the model '" + name.get()
                    + "' does not exist; served models: " + String.join(", ", models.keySet()));
        }
        return m;
    }

    /** Compares SHA-256 digests in constant time, so neither the key's content nor its length leaks. */
    private void checkKey(String authorization) {
        String given = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).strip() : "";
        if (!MessageDigest.isEqual(apiKeyHash, sha256(given))) {
            throw new ApiException(401, "invalid_request_error", null, "invalid_api_key",
                    authorization == null ? "missing API key: send 'Authorization: Bearer KEY'" : "incorrect API key", -1);
        }
    }

    private static void sendError(HttpExchange x, ApiException e) {
        if (x.committed()) {
            x.abort(e);
            return;
        }
        ObjectNode body = Fields.MAPPER.createObjectNode();
        body.set("error", errorJson(e));
        String[] header = e.retryAfterSeconds() >= 0 ? new String[] {"Retry-After", Integer.toString(e.retryAfterSeconds())}
                : e.status() == 405 ? new String[] {"Allow", ROUTES.getOrDefault(x.path(), "GET")} : null;
        x.sendJson(e.status(), body, header);
    }

    static ObjectNode errorJson(ApiException e) {
        ObjectNode err = Fields.MAPPER.createObjectNode();
        err.put("message", e.getMessage());
        err.put("type", e.type());
        err.put("param", e.param());
        err.put("code", e.code());
        return err;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
