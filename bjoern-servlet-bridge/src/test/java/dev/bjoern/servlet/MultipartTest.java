package dev.bjoern.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** getParts() on uploads from curl -F: small parts in memory, large ones spilled to disk, limits enforced. */
class MultipartTest {
    @TempDir
    Path spill;

    /** Describes each part: name, file name, size, SHA-256, and how many files the spill folder holds now. */
    final class UploadServlet extends HttpServlet {
        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
            resp.setContentType("text/plain;charset=UTF-8");
            StringBuilder out = new StringBuilder();
            try {
                for (Part part : req.getParts()) {
                    try (InputStream in = part.getInputStream()) {
                        out.append(part.getName()).append(' ').append(part.getSubmittedFileName()).append(' ')
                                .append(part.getSize()).append(' ').append(sha256(in.readAllBytes())).append(' ')
                                .append(part.getContentType()).append('\n');
                    }
                }
                try (Stream<Path> files = Files.list(spill)) {
                    out.append("spilled ").append(files.count()).append('\n');
                }
                out.append("field ").append(req.getParameter("field")).append('\n');
            } catch (IllegalStateException tooLarge) {
                resp.setStatus(413);
                out.append(tooLarge.getMessage());
            }
            resp.getWriter().print(out);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void partsAreParsedAndALargeOneIsSpilledToDiskThenDeleted() throws Exception {
        byte[] large = new byte[300_000];
        new Random(7).nextBytes(large);
        Path upload = spill.resolveSibling(spill.getFileName() + "-upload.bin");
        Files.write(upload, large);
        try (ServletServer server = new ServletServer(ServletApplication.builder(new UploadServlet())
                .multipart(new MultipartConfigElement(spill.toString(), 1 << 20, 2 << 20, 1024)).build())) {
            String out = Curl.run("-F", "field=grüezi", "-F", "file=@" + upload + ";type=application/octet-stream",
                    server.uri("/upload").toString());
            String[] lines = out.split("\n");
            assertEquals("field null 7 " + sha256("grüezi".getBytes(StandardCharsets.UTF_8)) + " null", lines[0]);
            assertEquals("file " + upload.getFileName() + " 300000 " + sha256(large) + " application/octet-stream",
                    lines[1]);
            assertEquals("spilled 1", lines[2], "the large part, on disk while the request runs");
            assertEquals("field grüezi", lines[3]);
            try (Stream<Path> files = Files.list(spill)) {
                assertEquals(0, files.count(), "temporary files left after the request");
            }
        } finally {
            Files.deleteIfExists(upload);
        }
    }

    @Test
    void aPartOverMaxFileSizeIsRefusedWithANamedLimit() throws Exception {
        try (ServletServer server = new ServletServer(ServletApplication.builder(new UploadServlet())
                .multipart(new MultipartConfigElement(spill.toString(), 10, -1, 1024)).build())) {
            String out = Curl.run("-w", " %{http_code}", "-F", "field=more than ten bytes",
                    server.uri("/upload").toString());
            assertEquals("the multipart part \"field\" is 19 bytes, larger than its limit of 10 bytes (maxFileSize) 413",
                    out);
        }
    }

    @Test
    void aBodyOverMaxRequestSizeIsRefusedWithANamedLimit() throws Exception {
        try (ServletServer server = new ServletServer(ServletApplication.builder(new UploadServlet())
                .multipart(new MultipartConfigElement(spill.toString(), -1, 100, 1024)).build())) {
            String out = Curl.run("-w", " %{http_code}", "-F", "field=" + "x".repeat(200),
                    server.uri("/upload").toString());
            assertTrue(out.equals("the multipart request is larger than its limit of 100 bytes (maxRequestSize) 413"),
                    out);
        }
    }
}
