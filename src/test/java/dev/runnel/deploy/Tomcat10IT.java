package dev.runnel.deploy;

/** The WAR dropped into a stock Tomcat 10.1. */
class Tomcat10IT extends ContainerSmoke {
    @Override
    Container newContainer() {
        return new TomcatContainer(10);
    }

    @Override
    boolean streamsGetFinalFrameOnShutdown() {
        return true;
    }
}
