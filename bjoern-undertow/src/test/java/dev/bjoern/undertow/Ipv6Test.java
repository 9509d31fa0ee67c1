package dev.bjoern.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/** IPv6 listeners and the address text of environ for both families. */
class Ipv6Test {
    private static final String APP = "dev.bjoern.undertow.cliapps.Where:app";

    /** Skips, with a notice, on a machine without an IPv6 loopback. */
    static void requireIpv6Loopback() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return;
        } catch (Exception e) {
            String notice = "SKIPPED: this machine has no IPv6 loopback (::1): " + e;
            System.err.println(notice);
            org.junit.jupiter.api.Assumptions.abort(notice);
        }
    }

    static String curl(String... args) throws Exception {
        String[] command = new String[args.length + 4];
        command[0] = Tools.require("curl", "apt-get install curl").toString();
        command[1] = "-sSg";
        command[2] = "--max-time";
        command[3] = "20";
        System.arraycopy(args, 0, command, 4, args.length);
        return Command.run(command).ok();
    }

    @Test
    void writesIpv6AddressesInTheirShortForm() throws Exception {
        assertEquals("::1", Addresses.text(InetAddress.getByName("0:0:0:0:0:0:0:1")));
        assertEquals("::", Addresses.text(InetAddress.getByName("::")));
        assertEquals("2001:db8::1", Addresses.text(InetAddress.getByName("2001:0DB8:0:0:0:0:0:1")));
        assertEquals("2001:db8::1:0:0:1", Addresses.text(InetAddress.getByName("2001:db8:0:0:1:0:0:1")));
        assertEquals("2001:db8:0:1:1:1:1:1", Addresses.text(InetAddress.getByName("2001:db8:0:1:1:1:1:1")));
        assertEquals("1::", Addresses.text(InetAddress.getByName("1:0:0:0:0:0:0:0")));
        assertEquals("fe80::1%1", Addresses.text(InetAddress.getByName("fe80:0:0:0:0:0:0:1%1")));
        assertEquals("127.0.0.1", Addresses.text(InetAddress.getByName("127.0.0.1")));
    }

    @Test
    void servesOnIpv6LoopbackWithShortAddressesInEnviron() throws Exception {
        requireIpv6Loopback();
        try (Cli cli = Cli.start("-a", "::1", "-p", "0", APP)) {
            Matcher serving = cli.awaitServing();
            assertEquals("[::1]", serving.group(3));
            String body = curl(serving.group(2));
            assertTrue(body.startsWith("SERVER_NAME=::1\nSERVER_PORT=" + serving.group(4) + "\nREMOTE_ADDR=::1\n"),
                    body);
        }
    }

    @Test
    void theWildcardServesBothFamiliesEachWithItsOwnAddresses() throws Exception {
        requireIpv6Loopback();
        try (Cli cli = Cli.start("-a", "::", "-p", "0", APP)) {
            Matcher serving = cli.awaitServing();
            assertEquals("[::]", serving.group(3));
            String port = serving.group(4);
            String v6 = curl("http://[::1]:" + port + "/");
            assertTrue(v6.startsWith("SERVER_NAME=::1\nSERVER_PORT=" + port + "\nREMOTE_ADDR=::1\n"), v6);
            String v4 = curl("http://127.0.0.1:" + port + "/");
            assertTrue(v4.startsWith("SERVER_NAME=127.0.0.1\nSERVER_PORT=" + port + "\nREMOTE_ADDR=127.0.0.1\n"), v4);
        }
    }
}
