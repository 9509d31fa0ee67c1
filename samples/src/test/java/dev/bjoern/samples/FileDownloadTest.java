package dev.bjoern.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bjoern.test.TestClient;
import dev.bjoern.test.TestResponse;
import dev.bjoern.test.Validator;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDownloadTest {
    @TempDir
    Path dir;

    private Path file(String name, int size) throws Exception {
        byte[] data = new byte[size];
        new Random(7).nextBytes(data);
        return Files.write(dir.resolve(name), data);
    }

    @Test
    void sendsTheFileWholeAsAnAttachment() throws Exception {
        Path file = file("report \"q3\".bin", 200_000);
        TestResponse response = TestClient.of(Validator.wrap(FileDownload.app(file))).get("/anything");
        assertEquals(200, response.status());
        assertEquals("application/octet-stream", response.header("Content-Type"));
        assertEquals("attachment; filename=\"report q3.bin\"", response.header("Content-Disposition"));
        assertEquals("200000", response.header("Content-Length"));
        assertArrayEquals(Files.readAllBytes(file), response.body());
    }

    @Test
    void answers404WhenTheFileIsGone() {
        TestResponse response = TestClient.of(Validator.wrap(FileDownload.app(dir.resolve("missing")))).get("/");
        assertEquals(404, response.status());
        assertEquals("no file missing\n", response.text());
    }

    @Test
    void mainSendsTheFileThroughTheServersFileWrapper() throws Exception {
        Path file = file("data.bin", 3 * 1024 * 1024 + 17);
        try (SampleProcess sample = new SampleProcess(FileDownload.class, file.toString(), "0")) {
            HttpResponse<byte[]> response = sample.get("/");
            assertEquals(Files.size(file), response.headers().firstValueAsLong("Content-Length").orElse(-1));
            assertArrayEquals(Files.readAllBytes(file), response.body());
            assertEquals(0, sample.stop());
        }
    }
}
