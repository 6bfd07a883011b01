package dev.runnel.hub;

/** Thrown when publishing to a finite topic that has already ended. */
public final class TopicEndedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TopicEndedException(String topic) {
        super("topic \"" + topic + "\" has ended (finite topics take no event after their final one)");
    }
}
