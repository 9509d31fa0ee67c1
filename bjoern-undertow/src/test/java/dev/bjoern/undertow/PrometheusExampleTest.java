package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bjoern.WsgiApplication;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/metrics.md's Prometheus example, as written there. */
class PrometheusExampleTest {
    @Test
    void prometheusScrapesBjoernsCounters() throws Exception {
        WsgiApplication app = Traffic.APP;
        // From docs/metrics.md:
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (BjoernServer server = BjoernServer.builder(app).port(0).meterRegistry(prometheus).build().start()) {
            // ... serve; expose prometheus.scrape() at /metrics, here from the same WSGI app or elsewhere
            try (RawHttp http = new RawHttp(server.port())) {
                assertEquals(200, http.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").read().status());
            }
        }
        String scrape = prometheus.scrape();
        for (String line : List.of("conn_accept_success_total 1.0", "req_success_read_total 1.0",
                "resp_conn_close_total 1.0", "resp_done_total 1.0", "req_error_parse_total 0.0")) {
            assertTrue(scrape.contains(line + "\n"), () -> "no \"" + line + "\" in\n" + scrape);
        }
    }

    @Test
    void theScrapeCanBeServedByAWsgiApplication() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // From docs/metrics.md:
        WsgiApplication metrics = (environ, startResponse) -> {
            startResponse.call("200 OK", List.of(Map.entry("Content-Type", "text/plain; version=0.0.4")));
            return List.of(prometheus.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        };
        try (BjoernServer server = BjoernServer.builder(metrics).port(0).meterRegistry(prometheus).build().start();
                RawHttp http = new RawHttp(server.port())) {
            http.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").read();
            String second = http.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").read().text();
            assertTrue(second.contains("resp_done_keepalive_total 1.0\n"), second);
        }
    }
}
