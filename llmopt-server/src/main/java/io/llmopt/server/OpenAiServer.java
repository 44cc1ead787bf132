package io.llmopt.server;

import io.llmopt.tensor.LlmoptException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * The OpenAI-compatible HTTP server: Jetty 12 core handlers (no servlets) on virtual threads, one
 * {@link ServedModel} per name. The server owns the engines: {@link #close()} shuts them down.
 *
 * <p>Shutdown: stop accepting connections, answer new generation requests 503, give in-flight requests the
 * grace period to finish (the engines cancel what is left, which ends those responses cleanly), then stop.
 */
public final class OpenAiServer implements AutoCloseable {
    private final ServerConfig config;
    private final Map<String, ServedModel> models;
    private final ServerMetrics metrics;
    private final InFlight inFlight = new InFlight();
    private final Server server;
    private final ServerConnector connector;
    private boolean closed;

    private OpenAiServer(ServerConfig config, Map<String, ServedModel> models) {
        this.config = config;
        this.models = models;
        this.metrics = new ServerMetrics();
        for (ServedModel m : models.values()) {
            metrics.register(m);
        }
        VirtualThreadPool threads = new VirtualThreadPool();
        threads.setName("llmopt-http");
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(config.host());
        connector.setPort(config.port());
        server.addConnector(connector);
        server.setHandler(new ApiHandler(config, models, metrics, inFlight));
        server.setStopTimeout(0); // in-flight requests are drained by shutdown() before Jetty stops
    }

    /** Starts serving; throws with a one-line message when the port cannot be bound. */
    public static OpenAiServer start(ServerConfig config, List<ServedModel> models) {
        if (models.isEmpty()) {
            throw new LlmoptException("no models to serve: give at least one -m NAME=PATH");
        }
        Map<String, ServedModel> byName = new LinkedHashMap<>();
        for (ServedModel m : models) {
            if (byName.put(m.name(), m) != null) {
                throw new LlmoptException("the model name '" + m.name() + "' is given twice");
            }
        }
        OpenAiServer s = new OpenAiServer(config, Collections.unmodifiableMap(byName));
        try {
            s.server.start();
        } catch (Exception e) {
            try {
                s.server.stop();
            } catch (Exception ignored) {
                // the start failure is the error to report
            }
            throw new LlmoptException("cannot start the server on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        return s;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** e.g. {@code http://127.0.0.1:8080} */
    public URI baseUri() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        if (host.equals("0.0.0.0")) {
            host = "127.0.0.1";
        }
        return URI.create("http://" + host + ":" + port());
    }

    public List<ServedModel> models() {
        return List.copyOf(models.values());
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    /** How long a connection may stay silent (no bytes either way) outside of a generation. */
    void setIdleTimeout(Duration timeout) {
        connector.setIdleTimeout(timeout.toMillis());
    }

    /** Requests being handled right now. */
    public int inFlight() {
        return inFlight.count();
    }

    /** Graceful shutdown with the configured grace period. Idempotent. */
    @Override
    public void close() {
        shutdown(config.shutdownGrace());
    }

    public synchronized void shutdown(Duration grace) {
        if (closed) {
            return;
        }
        closed = true;
        inFlight.startDraining();
        connector.close(); // stop accepting; open connections stay until their responses end
        List<Thread> stops = new ArrayList<>();
        for (ServedModel m : models.values()) {
            stops.add(Thread.ofVirtual().name("shutdown-" + m.name()).start(() -> m.engine().shutdown(grace)));
        }
        try {
            for (Thread t : stops) {
                t.join();
            }
            inFlight.awaitIdle(grace.toNanos() + InFlight.seconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            server.stop();
        } catch (Exception e) {
            throw new LlmoptException("stopping the HTTP server: " + e.getMessage(), e);
        }
    }

    /** Blocks until the server has stopped (e.g. after a shutdown hook ran {@link #close()}). */
    public void join() throws InterruptedException {
        server.join();
    }
}
