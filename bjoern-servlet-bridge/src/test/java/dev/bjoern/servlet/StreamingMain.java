package dev.bjoern.servlet;

import dev.bjoern.undertow.BjoernServer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Run in a child JVM with a small heap by StreamingTest: a servlet that writes {@code args[0]} bytes at
 * /big and a short answer at /small. Prints "port N" when serving.
 */
public final class StreamingMain {
    private StreamingMain() {
    }

    public static void main(String[] args) throws Exception {
        long size = Long.parseLong(args[0]);
        HttpServlet servlet = new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                if ("/small".equals(req.getPathInfo())) {
                    resp.getWriter().print("small");
                    return;
                }
                resp.setContentType("application/octet-stream");
                byte[] block = new byte[64 * 1024];
                Arrays.fill(block, (byte) 'x');
                OutputStream out = resp.getOutputStream();
                for (long left = size; left > 0; left -= block.length) {
                    out.write(block, 0, (int) Math.min(block.length, left));
                }
            }
        };
        ServletApplication app = ServletApplication.of(servlet);
        BjoernServer server = BjoernServer.builder(app).port(0).build().start();
        System.out.println("port " + server.port());
        System.out.flush();
        // Runs until the test kills it.
        Thread.currentThread().join();
    }
}
