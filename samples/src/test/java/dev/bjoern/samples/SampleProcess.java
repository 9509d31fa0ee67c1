package dev.bjoern.samples;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sample's main() run as README says, in a JVM of its own on the test class path, serving on the port its
 * arguments give (0: any free one, read back from its serving line). Every wait is bounded by {@link #LIMIT}.
 */
final class SampleProcess implements AutoCloseable {
    private static final Pattern SERVING = Pattern.compile("bjoern: serving on (http://\\S+)");
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private final Process process;
    private final URI uri;

    /** Starts {@code sample}'s main with {@code args} and returns once it serves. */
    SampleProcess(Class<?> sample, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("java.class.path");
        List<String> command = new ArrayList<>(List.of(java, "-cp", classPath, sample.getName()));
        command.addAll(List.of(args));
        process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        // A sample that never prints its serving line is killed, which ends its stderr and the loop below.
        CompletableFuture<Void> deadline = CompletableFuture.runAsync(process::destroyForcibly,
                CompletableFuture.delayedExecutor(LIMIT.toSeconds(), TimeUnit.SECONDS));
        BufferedReader stderr = new BufferedReader(new InputStreamReader(process.getErrorStream(), UTF_8));
        StringBuilder before = new StringBuilder();
        for (String line = stderr.readLine(); line != null; line = stderr.readLine()) {
            Matcher serving = SERVING.matcher(line);
            if (serving.matches()) {
                deadline.cancel(false);
                uri = URI.create(serving.group(1));
                return;
            }
            before.append(line).append('\n');
        }
        process.destroyForcibly();
        throw new IllegalStateException(sample.getSimpleName() + " ended without serving:\n" + before);
    }

    /** A GET of {@code target} ({@code "/hello?x=1"}) from the running sample. */
    HttpResponse<byte[]> get(String target) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri.resolve(target)).timeout(LIMIT).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Sends SIGTERM, as Ctrl-C would, and returns the exit status once the process ended. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("the sample still runs " + LIMIT.toSeconds() + " s after SIGTERM");
        }
        return process.exitValue();
    }

    /** Kills the process if a test left it running. */
    @Override
    public void close() {
        process.destroyForcibly();
    }
}
