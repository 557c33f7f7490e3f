import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hostile clients against a running webhook-serve (not a test; numbers in README "Running webhook-serve in
 * production"). Opens N connections that send their headers and part of the body, then stall (or, with
 * mode "headers", half of their headers); then times GET /healthz and a valid signed delivery; then
 * waits (up to LIMIT seconds) for the server to close each stalled connection and reports when it did.
 * Usage: java bench/Hostile.java PORT SECRET [N=50] [body|headers] [LIMIT=40]
 */
public class Hostile {
    public static void main(String[] a) throws Exception {
        int port = Integer.parseInt(a[0]);
        String secret = a[1];
        int n = a.length > 2 ? Integer.parseInt(a[2]) : 50;
        String mode = a.length > 3 ? a[3] : "body";
        int limit = a.length > 4 ? Integer.parseInt(a[4]) : 40;
        List<Socket> stalled = new ArrayList<>();
        List<Long> opened = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            OutputStream out = s.getOutputStream();
            String headers = "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Stripe-Signature: t=1,v1=00\r\nContent-Length: 1000\r\n\r\n";
            out.write((mode.equals("headers") ? headers.substring(0, 40) : headers + "{\"id\":\"evt_").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            stalled.add(s);
            opened.add(System.nanoTime());
        }
        System.out.printf("%d connections stalled (%s)%n", n, mode);
        System.out.println("GET /healthz: " + request(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        String body = "{\"id\":\"evt_hostile_" + System.nanoTime() + "\",\"object\":\"event\",\"type\":\"payout.paid\",\"created\":"
                + System.currentTimeMillis() / 1000 + ",\"data\":{\"object\":{\"id\":\"po_1\",\"object\":\"payout\"}}}";
        long t = System.currentTimeMillis() / 1000;
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String sig = "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        System.out.println("valid delivery: " + request(port, "POST /webhook HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nStripe-Signature: " + sig + "\r\nContent-Length: " + b.length + "\r\n\r\n" + body));
        List<Double> closedAfter = new ArrayList<>();
        long deadline = System.nanoTime() + limit * 1_000_000_000L;
        for (int i = 0; i < n; i++) {
            Socket s = stalled.get(i);
            InputStream in = s.getInputStream();
            boolean closed = false;
            while (!closed && System.nanoTime() < deadline) {
                s.setSoTimeout((int) Math.max(1, Math.min(500, (deadline - System.nanoTime()) / 1_000_000)));
                try {
                    closed = in.read() < 0 || in.readAllBytes().length >= 0;
                } catch (SocketTimeoutException e) {
                    // still open
                } catch (java.io.IOException e) {
                    closed = true; // reset
                }
            }
            if (closed) {
                closedAfter.add((System.nanoTime() - opened.get(i)) / 1e9);
            }
            s.close();
        }
        closedAfter.sort(null);
        System.out.printf(Locale.ROOT, "closed by the server: %d of %d within %d s%s%n", closedAfter.size(), n, limit,
                closedAfter.isEmpty() ? "" : String.format(Locale.ROOT, "; after %.2f s (first) … %.2f s (last)", closedAfter.get(0),
                        closedAfter.get(closedAfter.size() - 1)));
    }

    /** One request on a new connection; its status line and how long it took, or the timeout. */
    static String request(int port, String request) {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String line = answer.isEmpty() ? "(closed, no answer)" : answer.lines().findFirst().orElse("");
            return String.format(Locale.ROOT, "%s in %.0f ms", line, (System.nanoTime() - start) / 1e6);
        } catch (Exception e) {
            return String.format(Locale.ROOT, "%s after %.0f ms", e, (System.nanoTime() - start) / 1e6);
        }
    }
}
