package dev.runnel.deploy;

/** The WAR dropped into a stock Tomcat 11. */
class Tomcat11IT extends ContainerSmoke {
    @Override
    Container newContainer() {
        return new TomcatContainer(11);
    }

    @Override
    boolean streamsGetFinalFrameOnShutdown() {
        return true;
    }
}
