package dev.runnel.deploy;

import java.util.Map;

/** {@link ChatUpstreamSmoke} on Jetty 12 with the repository's jetty-base. */
class ChatUpstreamJettyIT extends ChatUpstreamSmoke {
    @Override
    Container newContainer(Map<String, String> runnelEnv) {
        return JettyContainer.plain("jetty-chat", runnelEnv);
    }
}
