package io.liftline.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Runs a write for the work of every thread waiting for it at once: a thread that finds no write running writes its
 * own work and whatever queued up meanwhile, and each thread returns when the write that held its work is done, or
 * throws what that write threw. Under load the work of many calls shares one write; idle, a call writes alone.
 */
final class GroupCommit<W> {

    private final Consumer<List<W>> write;
    private final ConcurrentLinkedQueue<Pending<W>> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock writing = new ReentrantLock();

    GroupCommit(Consumer<List<W>> write) {
        this.write = write;
    }

    private static final class Pending<W> {
        final W work;
        /** Set before the writer unlocks, read after the waiter locks: the lock orders them. */
        boolean done;

        Throwable failure;

        Pending(W work) {
            this.work = work;
        }
    }

    /** Writes this work, with others' that wait; throws what the write threw (then none of the group is known done). */
    void write(W work) {
        Pending<W> mine = new Pending<>(work);
        queue.add(mine);
        writing.lock();
        try {
            if (!mine.done) {
                // Mine is still queued: the writer before took only what was queued when it began.
                List<Pending<W>> group = new ArrayList<>();
                for (Pending<W> p; (p = queue.poll()) != null; ) {
                    group.add(p);
                }
                Throwable failure = null;
                try {
                    write.accept(group.stream().map(p -> p.work).toList());
                } catch (RuntimeException | Error e) {
                    failure = e;
                }
                for (Pending<W> p : group) {
                    p.failure = failure;
                    p.done = true;
                }
            }
        } finally {
            writing.unlock();
        }
        if (mine.failure instanceof RuntimeException e) {
            throw e;
        }
        if (mine.failure instanceof Error e) {
            throw e;
        }
    }
}
