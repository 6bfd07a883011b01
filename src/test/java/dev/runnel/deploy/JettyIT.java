package dev.runnel.deploy;

/** The WAR on Jetty 12 ({@code jetty-home}) with the repository's {@code jetty-base/}, over HTTP/1.1. */
class JettyIT extends ContainerSmoke {
    @Override
    Container newContainer() {
        return JettyContainer.plain();
    }

    @Override
    boolean streamsGetFinalFrameOnShutdown() {
        return false;
    }
}
