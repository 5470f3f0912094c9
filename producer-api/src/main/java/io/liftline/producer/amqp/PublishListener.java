package io.liftline.producer.amqp;

/** What happens to publishes, for metrics. Called on publishing and connection threads: keep it cheap. */
public interface PublishListener {
    void published();

    void confirmed();

    void nacked();

    void returned();

    /** The broker nacked a channel's first publish to a queue: the pool replaces the channel ({@link ConfirmChannel}). */
    void channelRefused();

    PublishListener NONE = new PublishListener() {
        @Override
        public void published() {}

        @Override
        public void confirmed() {}

        @Override
        public void nacked() {}

        @Override
        public void returned() {}

        @Override
        public void channelRefused() {}
    };
}
