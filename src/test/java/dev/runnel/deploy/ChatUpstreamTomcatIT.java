package dev.runnel.deploy;

import java.util.Map;

/** {@link ChatUpstreamSmoke} on a stock Tomcat 11, whose leak detector checks the undeploy. */
class ChatUpstreamTomcatIT extends ChatUpstreamSmoke {
    @Override
    Container newContainer(Map<String, String> runnelEnv) {
        return new TomcatContainer(11, "tomcat11-chat", runnelEnv);
    }
}
