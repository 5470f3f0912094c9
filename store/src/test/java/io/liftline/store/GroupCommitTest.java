package io.liftline.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.liftline.testing.Poll;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

    private final List<List<Integer>> writes = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch firstWriteBegun = new CountDownLatch(1);

    /** Records each write's group; the first one waits for {@link #release}, and a group holding -1 fails. */
    private final GroupCommit<Integer> commit = new GroupCommit<>(group -> {
        writes.add(List.copyOf(group));
        if (writes.size() == 1) {
            firstWriteBegun.countDown();
            await(release);
        }
        if (group.contains(-1)) {
            throw new IllegalStateException("the store refused");
        }
    });

    @Test
    void callsThatWaitWhileAWriteRunsShareTheNextWrite() throws Exception {
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> commit.write(1));
        assertThat(firstWriteBegun.await(10, TimeUnit.SECONDS)).isTrue();
        Thread second = started(() -> commit.write(2));
        Thread third = started(() -> commit.write(3));
        waitUntilBlocked(second);
        waitUntilBlocked(third);

        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        second.join(10_000);
        third.join(10_000);

        assertThat(writes).hasSize(2);
        assertThat(writes.get(0)).containsExactly(1);
        assertThat(writes.get(1)).containsExactlyInAnyOrder(2, 3);
    }

    @Test
    void aFailedWriteFailsEveryCallOfItsGroupAndTheNextCallWritesAgain() throws Exception {
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> commit.write(1));
        assertThat(firstWriteBegun.await(10, TimeUnit.SECONDS)).isTrue();
        AtomicReference<Throwable> refusedFailure = new AtomicReference<>();
        AtomicReference<Throwable> besideFailure = new AtomicReference<>();
        Thread refused = started(() -> failureOf(() -> commit.write(-1), refusedFailure));
        Thread besideIt = started(() -> failureOf(() -> commit.write(2), besideFailure));
        waitUntilBlocked(refused);
        waitUntilBlocked(besideIt);

        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        refused.join(10_000);
        besideIt.join(10_000);

        assertThat(writes.get(1)).containsExactlyInAnyOrder(-1, 2);
        assertThat(refusedFailure.get()).hasMessage("the store refused");
        assertThat(besideFailure.get())
                .as("a call written in the failed group is not done")
                .hasMessage("the store refused");
        commit.write(4);
        assertThat(writes.get(writes.size() - 1)).containsExactly(4);
    }

    @Test
    void aCallAloneWritesAloneAndReturnsOnceWritten() {
        release.countDown();
        commit.write(7);
        assertThat(writes).containsExactly(List.of(7));
    }

    private static void failureOf(Runnable call, AtomicReference<Throwable> failure) {
        try {
            call.run();
        } catch (RuntimeException e) {
            failure.set(e);
        }
    }

    private static Thread started(Runnable call) {
        Thread thread = new Thread(call);
        thread.start();
        return thread;
    }

    private static void waitUntilBlocked(Thread thread) {
        Poll.waitAtMost(
                Duration.ofSeconds(10),
                thread.getName() + " waiting for the write",
                () -> thread.getState() == Thread.State.WAITING);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
