package io.liftline.producer.amqp;

/** What happens to publishes, for metrics. Called on publishing and connection threads: keep it cheap. */
public interface PublishListener {
    void published();

    void confirmed();

    void nacked();

    void returned();

    PublishListener NONE = new PublishListener() {
        @Override
        public void published() {}

        @Override
        public void confirmed() {}

        @Override
        public void nacked() {}

        @Override
        public void returned() {}
    };
}
