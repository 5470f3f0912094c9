package io.liftline.simulator;

import io.liftline.simulator.http.HttpTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * The simulator's scanners as connections on a Netty event loop (two threads, as wrk runs): each scanner sends one
 * request on its connection, and the next from the callback of the answer, with no thread per scanner and no
 * hand-off between threads. Retries, backoff, Retry-After, pacing, failover over several URLs and the records of
 * every attempt are the blocking scanners' ({@link Simulator#answered}, {@link Simulator#attemptFailed}).
 */
final class NettyScanners {

    private static final int MAX_RESPONSE_BYTES = 1 << 20;
    private static final int IO_THREADS = Math.min(2, Runtime.getRuntime().availableProcessors());

    private NettyScanners() {}

    /** Runs the scanners of both phases (phase two once the first phase-one scanner is done) until all are done. */
    static void run(Simulator simulator, SimulatorConfig config, int phase1) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                IO_THREADS, new DefaultThreadFactory("scanners", true), NioIoHandler.newFactory());
        SslContext tls = tls(config);
        CountDownLatch done = new CountDownLatch(phase1 + config.threads());
        CountDownLatch firstPhaseOneDone = new CountDownLatch(phase1 == 0 ? 0 : 1);
        try {
            for (int i = 0; i < phase1; i++) {
                new Scanner(simulator, config, group.next(), tls, config.phase1PerThread(), () -> {
                            firstPhaseOneDone.countDown();
                            done.countDown();
                        })
                        .start();
            }
            firstPhaseOneDone.await();
            for (int i = 0; i < config.threads(); i++) {
                new Scanner(simulator, config, group.next(), tls, Integer.MAX_VALUE, done::countDown).start();
            }
            done.await();
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    /** For https:// URLs: the JVM's trust store (javax.net.ssl.trustStore), and the host name checked. */
    private static SslContext tls(SimulatorConfig config) {
        if (config.urls().stream().noneMatch(u -> u.startsWith("https://"))) {
            return null;
        }
        try {
            return SslContextBuilder.forClient().build();
        } catch (SSLException e) {
            throw new IllegalStateException("no TLS client context: " + e.getMessage(), e);
        }
    }

    /** One scanner: one connection at a time, one request at a time; everything runs on its event loop. */
    private static final class Scanner {
        private final Simulator simulator;
        private final SimulatorConfig config;
        private final EventLoop loop;
        private final SslContext tls;
        private final int quota;
        private final Runnable onDone;
        private final Bootstrap bootstrap;
        private int sent;
        private Simulator.Request request;
        private int first;
        private int attempt;
        private long start;
        /** The attempt under way has no outcome yet; an outcome that comes later (a late close, a timeout) is ignored. */
        private boolean awaiting;

        private ScheduledFuture<?> timeout;
        private Channel channel;
        private String channelBase;
        private String channelHost;

        Scanner(
                Simulator simulator,
                SimulatorConfig config,
                EventLoop loop,
                SslContext tls,
                int quota,
                Runnable onDone) {
            this.simulator = simulator;
            this.config = config;
            this.loop = loop;
            this.tls = tls;
            this.quota = quota;
            this.onDone = onDone;
            this.bootstrap = new Bootstrap()
                    .group(loop)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000);
        }

        void start() {
            loop.execute(this::nextRequest);
        }

        private void nextRequest() {
            request = sent < quota ? simulator.claim() : null;
            if (request == null) {
                closeChannel();
                onDone.run();
                return;
            }
            sent++;
            attempt = 0;
            first = simulator.firstUrl();
            long early = simulator.dueNanos(request) - System.nanoTime();
            if (early > 0) {
                loop.schedule(this::attempt, early, TimeUnit.NANOSECONDS);
            } else {
                attempt();
            }
        }

        private void attempt() {
            if (attempt > 0) {
                simulator.stats().retried();
            }
            String base = simulator.url(first, attempt);
            start = System.nanoTime();
            awaiting = true;
            timeout = loop.schedule(
                    () -> failed(new IOException(
                            "no answer within " + config.requestTimeout().toMillis() + " ms")),
                    config.requestTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
            if (channel != null && channel.isActive() && base.equals(channelBase)) {
                write(channel);
                return;
            }
            closeChannel();
            URI uri = URI.create(base);
            boolean https = uri.getScheme().equals("https");
            int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
            bootstrap.handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ChannelPipeline pipeline = ch.pipeline();
                    if (https) {
                        SslHandler ssl = tls.newHandler(ch.alloc(), uri.getHost(), port);
                        SSLParameters parameters = ssl.engine().getSSLParameters();
                        parameters.setEndpointIdentificationAlgorithm("HTTPS");
                        ssl.engine().setSSLParameters(parameters);
                        pipeline.addLast(ssl);
                    }
                    pipeline.addLast(
                            new HttpClientCodec(),
                            new HttpObjectAggregator(MAX_RESPONSE_BYTES),
                            new Answers(Scanner.this));
                }
            });
            bootstrap.connect(uri.getHost(), port).addListener(f -> {
                Channel connected = ((io.netty.channel.ChannelFuture) f).channel();
                if (!f.isSuccess()) {
                    failed(f.cause());
                } else if (!awaiting) { // timed out while connecting
                    connected.close();
                } else {
                    channel = connected;
                    channelBase = base;
                    channelHost = port == (https ? 443 : 80) ? uri.getHost() : uri.getHost() + ":" + port;
                    write(connected);
                }
            });
        }

        private void write(Channel ch) {
            ByteBuf body = ByteBufUtil.writeUtf8(ch.alloc(), request.body());
            FullHttpRequest http =
                    new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, request.path(), body);
            http.headers()
                    .set(HttpHeaderNames.HOST, channelHost)
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            simulator.headers(request).forEach((name, value) -> http.headers().set(name, value));
            ch.writeAndFlush(http).addListener(f -> {
                if (!f.isSuccess()) {
                    failed(f.cause());
                }
            });
        }

        void answered(Channel from, FullHttpResponse response) {
            if (from != channel || !awaiting) {
                return;
            }
            awaiting = false;
            timeout.cancel(false);
            int status = response.status().code();
            // the body is read only where it says something: an error, or the ids the producer assigned
            String body = status == 201 && request.eventIds() != null
                    ? ""
                    : response.content().toString(StandardCharsets.UTF_8);
            HttpTransport.Answer answer =
                    new HttpTransport.Answer(status, body, response.headers().get(HttpHeaderNames.RETRY_AFTER));
            if (!HttpUtil.isKeepAlive(response)) {
                closeChannel();
            }
            proceed(simulator.answered(request, attempt, start, System.nanoTime(), answer));
        }

        void closed(Channel which) {
            if (which == channel) {
                channel = null;
                failed(new IOException("connection closed before an answer"));
            }
        }

        void failed(Throwable cause) {
            if (!awaiting) {
                return;
            }
            awaiting = false;
            timeout.cancel(false);
            closeChannel();
            Exception problem = cause instanceof Exception e ? e : new IOException(cause);
            proceed(simulator.attemptFailed(request, attempt, start, System.nanoTime(), problem));
        }

        private void proceed(Duration wait) {
            if (wait == null) {
                nextRequest();
            } else {
                attempt++;
                loop.schedule(this::attempt, wait.toNanos(), TimeUnit.NANOSECONDS);
            }
        }

        private void closeChannel() {
            if (channel != null) {
                Channel old = channel;
                channel = null;
                old.close();
            }
        }
    }

    /** The pipeline's last handler: hands answers, closes and errors to its scanner (on the scanner's loop). */
    private static final class Answers extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final Scanner scanner;

        Answers(Scanner scanner) {
            this.scanner = scanner;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            scanner.answered(ctx.channel(), response);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            scanner.closed(ctx.channel());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (ctx.channel() == scanner.channel) {
                scanner.failed(cause);
            }
            ctx.close();
        }
    }
}
