package boxd.dns.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/** A minimal DNS client over raw sockets, so tests see exactly what the server sent (or that it sent nothing). */
public final class DnsClient {
    private DnsClient() {}

    public static Message query(String name, int type) {
        try {
            return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Sends {@code packet} over UDP and returns the reply, or null when none came within {@code timeoutMs}. */
    public static Message udp(int port, byte[] packet, int timeoutMs) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(timeoutMs);
            s.send(new DatagramPacket(packet, packet.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
            byte[] buf = new byte[65_535];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            try {
                s.receive(in);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return new Message(Arrays.copyOf(buf, in.getLength()));
        }
    }

    public static Message udp(int port, Message query) throws IOException {
        return udp(port, query.toWire(), 2000);
    }

    /** Sends each query on one TCP connection, with 2-byte length framing; returns the replies in order. */
    public static Message[] tcp(int port, Message... queries) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(3000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            Message[] replies = new Message[queries.length];
            for (int i = 0; i < queries.length; i++) {
                byte[] q = queries[i].toWire();
                out.writeShort(q.length);
                out.write(q);
                out.flush();
                int len = in.readUnsignedShort();
                byte[] r = new byte[len];
                in.readFully(r);
                replies[i] = new Message(r);
            }
            return replies;
        }
    }
}
