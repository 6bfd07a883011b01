package dev.runnel.testing;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Test-only: a request carrying {@code X-Test-Remote-Addr: 203.0.113.7} looks to the application as
 * if it came from that address, so rules about remote clients can be tested over loopback.
 */
final class RemoteAddressOverride extends Handler.Wrapper {
    static final String HEADER = "X-Test-Remote-Addr";

    RemoteAddressOverride(Handler handler) {
        super(handler);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String fake = request.getHeaders().get(HEADER);
        if (fake == null) {
            return super.handle(request, response, callback);
        }
        SocketAddress remote = new InetSocketAddress(InetAddress.getByName(fake), 40_000);
        ConnectionMetaData meta = new ConnectionMetaData.Wrapper(request.getConnectionMetaData()) {
            @Override
            public SocketAddress getRemoteSocketAddress() {
                return remote;
            }
        };
        Request wrapped = new Request.Wrapper(request) {
            @Override
            public ConnectionMetaData getConnectionMetaData() {
                return meta;
            }
        };
        return super.handle(wrapped, response, callback);
    }
}
